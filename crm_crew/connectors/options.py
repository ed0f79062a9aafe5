"""What every connector factory receives, and the one way its `crm.options` are parsed.

Each connector declares a strict pydantic model of its options (its defaults live there,
next to the code that uses them); `crm-crew validate` checks `crm.options` against the
same model, so a typo is reported with its file, line and column before anything runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from crm_crew.connectors.retry import RetryPolicy
from crm_crew.errors import UserError

FieldMap = dict[str, dict[str, "str | None"]]   # unified object -> unified field -> CRM field (None: unmapped)


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


def _unified_keys(value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from crm_crew.connectors.base import UNIFIED_FIELDS

    every = {f for fields in UNIFIED_FIELDS.values() for f in fields}
    for key in value:
        obj, _, name = key.rpartition(".")
        if (obj and name not in UNIFIED_FIELDS.get(obj, ())) or (not obj and name not in every):
            raise ValueError(f"{key}: not a unified field (use <field> or <object>.<field>)")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
# {unified field or object.field: {unified value: CRM value}}
ValueMap = Annotated[dict[str, dict[str, Any]], AfterValidator(_unified_keys)]


class ConnectorOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class ConnectorContext:
    """Everything a factory needs besides its own options."""

    home: Path                                              # the state folder
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout_s: float = 30.0
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)


OptionsT = TypeVar("OptionsT", bound=ConnectorOptions)


def parse_options(model: type[OptionsT], raw: Mapping[str, Any], crm_type: str) -> OptionsT:
    """Validate `crm.options` for `crm_type`; a UserError lists every problem by key."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in ("crm", "options", *error["loc"]))
            if error["type"] == "extra_forbidden":
                message = f"unknown option; allowed: {', '.join(model.model_fields)}"
            else:
                message = error["msg"]
            problems.append(f"{where}: {message} (crm.type {crm_type})")
        raise UserError("\n".join(problems)) from None


def secret_from_env(ctx: ConnectorContext, env_name: str, option: str, crm: str) -> str:
    """The credential in environment variable `env_name`; a clear UserError when unset."""
    value = ctx.env.get(env_name, "").strip()
    if not value:
        raise UserError(f"{crm}: environment variable {env_name} is not set (named by crm.options.{option}); "
                        f"export it with the CRM's access token before running")
    return value


def merge_field_map(defaults: FieldMap, overrides: FieldMap, crm: str) -> FieldMap:
    """Defaults overlaid with `crm.options.field_map`; unknown objects or fields are errors."""
    from crm_crew.connectors.base import UNIFIED_FIELDS

    merged = {obj: dict(fields) for obj, fields in defaults.items()}
    problems = []
    for obj, fields in overrides.items():
        if obj not in UNIFIED_FIELDS:
            problems.append(f"crm.options.field_map.{obj}: unknown object; expected one of "
                            f"{', '.join(UNIFIED_FIELDS)}")
            continue
        for name, target in fields.items():
            if name not in UNIFIED_FIELDS[obj]:
                problems.append(f"crm.options.field_map.{obj}.{name}: unknown {obj} field; expected one of "
                                f"{', '.join(UNIFIED_FIELDS[obj])}")
                continue
            merged.setdefault(obj, {})[name] = target
    if problems:
        raise UserError(f"{crm}: " + "\n".join(problems))
    return merged
