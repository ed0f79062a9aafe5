"""Secrets do not belong in config files: credential-looking keys and URLs that carry one.

Whatever is found is reported by where it is, never by its value.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from crm_crew.config.positions import YamlPath
from crm_crew.config.report import Reporter

CREDENTIAL_SUFFIXES: tuple[str, ...] = ("api_key", "password", "token", "secret")


def check_credentials(data: Any, rep: Reporter, path: YamlPath = ()) -> set[YamlPath]:
    """Reject credential-looking keys and URLs that carry a credential; returns their paths
    (not to be re-reported, so that no other message repeats the value)."""
    found: set[YamlPath] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, key)
            if _is_credential_key(key):
                rep.at_key(child, f"credential '{key}' must not be in YAML: put the value in an "
                                  f"environment variable and name it in `{key}_env`")
                found.add(child)
            elif isinstance(key, str) and url_credential(key):
                rep.at_key(child, _URL_CREDENTIAL)
                found.add(child)
            else:
                found |= check_credentials(value, rep, child)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found |= check_credentials(item, rep, (*path, index))
    elif isinstance(data, str) and url_credential(data):
        advice = _URL_ADVICE.get(path, _URL_CREDENTIAL_ADVICE)
        rep.at_value(path, f"{_URL_CREDENTIAL}: {advice}")
        found.add(path)
    return found


_URL_CREDENTIAL = "a URL must not carry a credential (user:password@ or a secret query parameter; not repeated here)"
_URL_CREDENTIAL_ADVICE = "put the secret in an environment variable and leave it out of the URL"
_URL_ADVICE: dict[YamlPath, str] = {
    ("store", "url"): "use PGPASSWORD or ~/.pgpass, or put the whole URL in the DATABASE_URL environment variable",
}
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")
_USERINFO_WITH_PASSWORD = re.compile(r"[^/?#@]*://[^/?#@]*:[^/?#@]+@")
_SECRET_PARAMETER = re.compile(r"(?:password|passwd|pwd|secret|token|api[_\-]?key|apikey|signature|sig)$", re.IGNORECASE)


def url_credential(text: str) -> bool:
    """True when `text` holds a URL with a password (`user:password@`) or a secret query parameter."""
    if "://" not in text:
        return False
    for match in _URL.finditer(text):
        url = match.group(0)
        if _USERINFO_WITH_PASSWORD.match(url):
            return True
        query = url.partition("?")[2].partition("#")[0]
        if any(value and _SECRET_PARAMETER.search(name) for name, value in parse_qsl(query)):
            return True
    return False


def _is_credential_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    lowered = key.lower()
    return not lowered.endswith("_env") and lowered.endswith(CREDENTIAL_SUFFIXES)
