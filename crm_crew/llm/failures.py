"""Telling a failed model API apart from every other failure inside a crew run."""

from __future__ import annotations

from crm_crew.errors import ModelUnavailableError


def model_api_failed(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from, says the model API could not answer."""
    import anthropic

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (ModelUnavailableError, anthropic.APIError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def model_auth_failed(exc: BaseException) -> bool:
    """True when the model API refused the credentials: no other interaction can succeed either."""
    import anthropic

    current: BaseException | None = exc
    for _ in range(20):
        if current is None:
            return False
        if isinstance(current, (anthropic.AuthenticationError, anthropic.PermissionDeniedError)):
            return True
        current = current.__cause__ or current.__context__
    return False
