"""The process-wide registry of Governors: one rate limiter, breaker and connection pool per API endpoint
(base URL + API key variable), shared by every crew and thread; the response cache lives in the state folder."""

from __future__ import annotations

import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from crm_crew.llm.breaker import CircuitBreaker
from crm_crew.llm.ratelimit import Limiter, reset_shared_limiters, shared_limiter
from crm_crew.llm.response_cache import SqliteResponseCache
from crm_crew.llm.transport import Governor, RetryPolicy
from crm_crew.shared.state import shared_state

DEFAULT_BASE_URL = "https://api.anthropic.com"
CACHE_FILE = "llm-cache.sqlite"
POOL = httpx.Limits(max_connections=100, max_keepalive_connections=20)

_lock = threading.Lock()
_endpoints: dict[tuple[str, str], tuple[Limiter, CircuitBreaker, httpx.BaseTransport]] = {}
_caches: dict[Path, SqliteResponseCache] = {}
_governors: dict[tuple[str, str, Path | None], Governor] = {}


def base_url_of(settings: Any) -> str:
    """Where requests go; the SDK's own fallback (ANTHROPIC_BASE_URL) included."""
    return (settings.llm.anthropic.base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for url (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as httpx.Client would use."""
    target = httpx.URL(url)
    if urllib.request.proxy_bypass(target.host):
        return None
    return urllib.request.getproxies().get(target.scheme)


def governor_for(settings: Any, home: Path | None) -> Governor:
    """The Governor of settings' endpoint; the first caller's limits, breaker and retry settings win.
    Its cache is home / llm-cache.sqlite when settings.llm.cache.enabled and home is given."""
    llm = settings.llm
    endpoint = (base_url_of(settings), llm.anthropic.api_key_env)
    cache_path = home / CACHE_FILE if home is not None and llm.cache.enabled else None
    with _lock:
        governor = _governors.get((*endpoint, cache_path))
        if governor is not None:
            return governor
        if endpoint not in _endpoints:
            limits = llm.rate_limits
            shared = shared_state()
            make = shared.limiter if shared is not None else shared_limiter
            limiter: Limiter = make(f"llm|{'|'.join(endpoint)}", limits.requests_per_minute,
                                    limits.input_tokens_per_minute, limits.output_tokens_per_minute)
            breaker = CircuitBreaker(llm.circuit_breaker.failures, llm.circuit_breaker.cooldown_s)
            inner: httpx.BaseTransport = httpx.HTTPTransport(limits=POOL, proxy=proxy_for(endpoint[0]))
            _endpoints[endpoint] = (limiter, breaker, inner)
        limiter, breaker, inner = _endpoints[endpoint]
        cache = None
        if cache_path is not None:
            cache = _caches.get(cache_path)
            if cache is None:
                cache = _caches[cache_path] = SqliteResponseCache(cache_path, llm.cache.ttl_s)
        cfg = llm.anthropic
        governor = Governor(limiter=limiter, breaker=breaker, cache=cache, inner=inner,
                            retry=RetryPolicy(cfg.max_retries, cfg.base_delay_s, cfg.max_delay_s))
        _governors[(*endpoint, cache_path)] = governor
        return governor


def open_breakers() -> int:
    """How many endpoints' circuit breakers are open (or probing) in this process (for the metrics)."""
    with _lock:
        breakers = [breaker for _, breaker, _ in _endpoints.values()]
    return sum(1 for breaker in breakers if breaker.state != "closed")


def reset_governors() -> None:
    """Forget every governor (for tests): close the pools and caches, drop the shared limiters."""
    with _lock:
        for _, _, inner in _endpoints.values():
            inner.close()
        for cache in _caches.values():
            cache.close()
        _endpoints.clear()
        _caches.clear()
        _governors.clear()
        reset_shared_limiters()
