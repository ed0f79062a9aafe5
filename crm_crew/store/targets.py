"""CRM targets: which CRM instance an idempotency key, a claim or a run belongs to.

A target is the connector type and its instance, e.g. `local:{home}/crm.sqlite` (a file in the
state folder; elsewhere its absolute path),
`salesforce:https://acme.my.salesforce.com`, `hubspot:https://api.hubapi.com#portal=40000001`,
`rest:https://crm.example.com/api`. The same plan applied to another CRM writes there: its keys
are that CRM's own. Keys from journals written before targets existed carry `legacy:<type>` and
count for every instance of their type, so an upgrade never writes anything twice.
"""

from __future__ import annotations

LEGACY_PREFIX = "legacy:"


def legacy_target(target: str) -> str:
    """The marker of keys applied, before targets existed, to some CRM of `target`'s type."""
    return LEGACY_PREFIX + target.partition(":")[0]


def same_target(run_target: str, target: str) -> bool:
    """Whether a run planned against `run_target` may be applied to `target` ("" : a run from before targets)."""
    return not run_target or run_target == target
