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


class ConnectorError(CrmCrewError):
    """The CRM refused or failed an operation."""


class CrmUnavailableError(ConnectorError):
    """The CRM cannot be reached or opened at all: the run cannot go on."""


class PermissionDenied(CrmCrewError):
    """The write path refused an action an agent is not allowed to take."""
