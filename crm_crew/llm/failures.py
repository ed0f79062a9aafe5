"""Telling a failed model API apart from every other failure inside a crew run.

crewai re-raises the SDK's exception (sometimes `raise e from e`, so chains can loop), and the SDK wraps
what our transport raises: a CircuitOpenError arrives as the `__cause__` of an `anthropic.APIConnectionError`.
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_crew.errors import ModelUnavailableError


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """exc and every exception it was raised from or during, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(e for e in (current.__context__, current.__cause__) if e is not None)


def model_unavailable_cause(exc: BaseException) -> ModelUnavailableError | None:
    """The ModelUnavailableError (e.g. CircuitOpenError) behind exc, if any."""
    return next((e for e in exception_chain(exc) if isinstance(e, ModelUnavailableError)), None)


def model_api_failed(exc: BaseException) -> bool:
    """True when the model API could not answer (after the transport's retries), or the breaker is open."""
    import anthropic

    return any(isinstance(e, (ModelUnavailableError, anthropic.APIError)) for e in exception_chain(exc))


def model_auth_failed(exc: BaseException) -> bool:
    """True when the model API refused the credentials: no other interaction can succeed either."""
    import anthropic

    return any(isinstance(e, (anthropic.AuthenticationError, anthropic.PermissionDeniedError))
               for e in exception_chain(exc))
