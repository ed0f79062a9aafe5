"""`crm.options` for `crm.type: rest`: an in-house JSON REST CRM described entirely in YAML.

The defaults describe the API of `crm_crew.testing.rest_emulator` (see its docstring), a
plain conventional one; only `base_url` is required. Example for a CRM with other paths:

    crm:
      type: rest
      options:
        base_url: https://crm.internal.example.com/api/v2
        auth_env: INTERNAL_CRM_TOKEN
        auth_header: X-Api-Key
        auth_scheme: ""                       # send the bare token
        resources: {contact: /people, activity: /events}
        lookup:
          contact_by_email: /people?mail={email}
        field_map:
          contact: {first_name: given_name, phone: mobile, tier: null}   # null: not sent, read as ""
        value_map:
          lead_status: {New: new, Working: in_progress}
          task.status: {Open: open}           # "object.field" restricts a map to one object
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from crm_crew.connectors.options import ConnectorOptions, FieldMap, HttpUrl, ValueMap


class ResourcePaths(ConnectorOptions):
    """Collection path per object, relative to base_url: POST here, GET/PATCH `<path>/{id}`."""

    contact: str = "/contacts"
    activity: str = "/activities"
    case: str = "/cases"
    task: str = "/tasks"

    @field_validator("contact", "activity", "case", "task")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"expected a path starting with '/', got {value!r}")
        return value.rstrip("/") or "/"


class LookupPaths(ConnectorOptions):
    """Query templates relative to base_url; `{placeholders}` are filled in URL-encoded.

    `activities_of_contact`, `cases_of_contact` and `tasks_of_contact` must return (the first
    page of) the records that point at `{contact_id}`: deleting a contact first lists them and
    refuses while any is left. Set `cases_of_contact` or `tasks_of_contact` to null when the CRM
    cannot filter that resource by contact: the check is then skipped for it, and deleting a
    contact that still has such records leaves them pointing at a contact that is gone (or
    fails, if the CRM itself refuses).
    """

    contact_by_email: str = "/contacts?email={email}"
    contact_search: str = "/contacts?q={query}"
    activities_of_contact: str = "/activities?contact_id={contact_id}&sort=-occurred_at&limit={limit}"
    cases_of_contact: str | None = "/cases?contact_id={contact_id}&limit={limit}"
    tasks_of_contact: str | None = "/tasks?contact_id={contact_id}&limit={limit}"

    @model_validator(mode="after")
    def _placeholders(self) -> LookupPaths:
        required = {"contact_by_email": ("{email}",), "contact_search": ("{query}",),
                    "activities_of_contact": ("{contact_id}",), "cases_of_contact": ("{contact_id}",),
                    "tasks_of_contact": ("{contact_id}",)}
        for name, marks in required.items():
            template = getattr(self, name)
            if template is None:
                continue
            if not template.startswith("/"):
                raise ValueError(f"{name}: expected a path starting with '/', got {template!r}")
            for mark in marks:
                if mark not in template:
                    raise ValueError(f"{name}: the template must contain {mark}")
        return self


class RestOptions(ConnectorOptions):
    base_url: HttpUrl
    auth_env: str = "CRM_API_TOKEN"
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"                       # "": the header carries the bare token
    ca_bundle: str | None = None                      # PEM file to trust (a private CA); None: system store
    resources: ResourcePaths = Field(default_factory=ResourcePaths)
    lookup: LookupPaths = Field(default_factory=LookupPaths)
    items_key: str = "items"
    next_cursor_key: str = "next_cursor"
    cursor_param: str = "cursor"
    limit_param: str | None = "limit"                 # page size parameter for exports; None: not sent
    page_size: int = Field(default=100, ge=1, le=10_000)
    id_field: str = "id"
    etag: bool = True                                 # send If-Match with the ETag read on PATCH
    idempotency_header: str | None = "Idempotency-Key"
    identity_path: str = "/me"
    field_map: FieldMap = Field(default_factory=dict)
    value_map: ValueMap = Field(default_factory=dict)
