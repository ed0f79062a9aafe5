"""Claude through crewai's native Anthropic provider."""

from __future__ import annotations

import os
from typing import Any

from crm_crew.errors import UserError


def anthropic_api_key(settings: Any) -> str:
    env = settings.llm.anthropic.api_key_env
    key = os.environ.get(env, "").strip()
    if not key:
        raise UserError(f"an agent uses an anthropic/ model but the environment variable {env} is empty: "
                        f"export {env}=<your key>, or set llm.anthropic.api_key_env in crm-crew.yaml")
    return key


def make_anthropic_llm(model: str, settings: Any) -> Any:
    from crewai import LLM

    cfg = settings.llm.anthropic
    kwargs: dict[str, Any] = {"model": model, "api_key": anthropic_api_key(settings),
                              "timeout": cfg.timeout_s, "max_retries": cfg.max_retries}
    if cfg.base_url:
        kwargs["base_url"] = cfg.base_url
    return LLM(**kwargs)
