"""One place that turns a model string into an LLM; the rest of the code never asks which."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crm_crew.llm.api_keys import anthropic_api_key
from crm_crew.llm.registry import LLM_PROVIDERS


def provider_of(model: str) -> str:
    return "offline" if model == "offline" else model.partition("/")[0]


def check_credentials(models: Iterable[str], settings: Any) -> None:
    """Fail before a run starts when a model's credentials are missing."""
    if any(provider_of(m) == "anthropic" for m in models):
        anthropic_api_key(settings)


def make_llm(model: str, settings: Any, meter: Any, home: Path | None = None) -> Any:
    """A crewai LLM for `model` whose usage is added to `meter` (a crm_crew.llm.meter.Meter)."""
    module_name, _, attr = LLM_PROVIDERS[provider_of(model)].partition(":")
    return getattr(importlib.import_module(module_name), attr)(model, settings, meter, home)
