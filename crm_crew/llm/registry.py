"""Model strings: `offline` or `<provider>/<model>`; providers come from this registry.

Values are import paths of factories so that validating a config never imports crewai.
"""

from __future__ import annotations

LLM_PROVIDERS: dict[str, str] = {
    "offline": "crm_crew.llm.offline.model:make_offline_llm",
    "anthropic": "crm_crew.llm.anthropic:make_anthropic_llm",
}


def model_string_problem(model: str) -> str | None:
    """Why `model` is not a valid model string, or None when it is."""
    if model == "offline":
        return None
    provider, sep, name = model.partition("/")
    if not sep or not name:
        return f"model string '{model}' must be 'offline' or '<provider>/<model>' (providers: {', '.join(p for p in LLM_PROVIDERS if p != 'offline')})"
    if provider not in LLM_PROVIDERS or provider == "offline":
        return f"unknown model provider '{provider}' (known: {', '.join(p for p in LLM_PROVIDERS if p != 'offline')})"
    return None
