"""One exception root; user errors (bad input, bad config) apart from internal ones."""

from __future__ import annotations

from collections.abc import Sequence


class CrmCrewError(Exception):
    """Root of every error crm-crew raises on purpose."""

    exit_code: int = 1


class UserError(CrmCrewError):
    """Something the user can fix: bad config, bad arguments, missing credentials."""


class ConfigError(UserError):
    """The configuration is invalid; carries every problem found."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(UserError):
    exit_code = 2


class NotFoundError(UserError):
    """A run, record or file named by the user does not exist."""


class AuditBroken(CrmCrewError):
    """`crm-crew audit verify` found the audit trail edited, reordered or cut short."""

    exit_code = 4


class ConnectorError(CrmCrewError):
    """The CRM refused or failed an operation."""


class CrmUnavailableError(ConnectorError):
    """The CRM cannot be reached or opened at all: the run cannot go on."""


class PermissionDenied(CrmCrewError):
    """The write path refused an action an agent is not allowed to take."""


class CrmAuthError(CrmUnavailableError):
    """The CRM rejected the credentials (401): nothing else can work, the run stops."""


class CrmLimitReached(CrmUnavailableError):
    """The CRM's daily API allowance is used up: the run stops, resume it later."""


class CrmRecordError(ConnectorError):
    """The CRM refused this one request (a 4xx): never retried, fails only this record."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class CrmTransientError(ConnectorError):
    """A failure worth retrying: 5xx, timeout, connection reset, 429."""

    def __init__(self, message: str, retry_after_s: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.status = status


class CrmRateLimited(CrmTransientError):
    """429 (or Salesforce REQUEST_LIMIT_EXCEEDED within a window): wait, then retry."""


class StaleRecordError(ConnectorError):
    """The record changed in the CRM since it was read: re-read and re-plan, never overwrite."""

    def __init__(self, message: str, current: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


class ModelUnavailableError(CrmCrewError):
    """The model API cannot be used right now."""


class CircuitOpenError(ModelUnavailableError):
    """Model requests failed too often in a row: calls fail fast until a probe succeeds after the cooldown."""


class SharedStateUnavailable(CrmCrewError):
    """The Redis that workers share (cache, locks, rate limits) cannot be reached: start it or fix the URL."""

    def then(self, step: str) -> SharedStateUnavailable:
        """The same failure, saying what to do once Redis is reachable (it depends on what was running)."""
        return type(self)(f"{self}; then {step}")


class JournalTampered(CrmCrewError):
    """An action in the journal, or the audit trail, was changed behind crm-crew's back: nothing is written."""

    exit_code = 4


class StorageError(CrmCrewError):
    """The state folder or the store cannot be written (read-only, disk full): the run stops, resumable."""


class RunInterrupted(CrmCrewError):
    """Ctrl-C (SIGINT) stopped a run: what is journaled is kept, `run --resume` finishes it."""

    exit_code = 130

    def __init__(self, run_id: str, journaled: int, applied: int | None) -> None:
        self.run_id = run_id
        self.journaled = journaled
        self.applied = applied     # None: a shadow run, which writes nothing to the CRM
        super().__init__(f"run {run_id} interrupted")
