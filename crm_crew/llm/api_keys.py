"""Model providers' API keys, read without importing the providers (a missing key fails at once)."""

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
