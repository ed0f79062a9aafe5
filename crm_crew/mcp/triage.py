"""triage_message: the configured crew in shadow mode on one message, with nothing written anywhere.

The message goes through the same readers as `crm-crew run` (a JSON record or an .eml file in a scratch
folder), and the run is `crm-crew eval`'s scratch run: its journal, review queue and response cache live
in a temporary folder that is deleted afterwards. A local CRM is copied there; another CRM is only read.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from crm_crew.errors import UserError
from crm_crew.mcp.context import ServerContext

# crewai keeps process-wide state (its event bus, environment): one triage at a time.
_ONE_AT_A_TIME = threading.Lock()
MAX_RAW_BYTES = 2_000_000


def message_file(folder: Path, fields: dict[str, Any], raw: str | None) -> Path:
    """The message as an input file `crm-crew run` reads: raw RFC 822 text as .eml, else one JSON record."""
    if raw is not None and raw.strip():
        if any(value for value in fields.values()):
            raise UserError("give the message either as fields or as raw RFC 822 text, not both")
        data = raw.encode("utf-8", errors="replace")
        if len(data) > MAX_RAW_BYTES:
            raise UserError(f"the raw message is {len(data)} bytes; at most {MAX_RAW_BYTES} are accepted")
        path = folder / "message.eml"
        path.write_bytes(data)
        return path
    record = {key: value for key, value in fields.items() if value}
    if not record.get("sender_email") or not (record.get("body") or record.get("subject")):
        raise UserError("give at least sender_email and a body or subject (or the raw message as `raw`)")
    path = folder / "message.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def triage_message(ctx: ServerContext, fields: dict[str, Any], raw: str | None) -> dict[str, Any]:
    from crm_crew.eval.scratch import SCRATCH_NOTE, configured_crm_file, scratch_run

    crm = ctx.settings.crm
    local = crm.type == "local"
    crm_copy = None
    if local:
        try:
            crm_copy = configured_crm_file(ctx.config, ctx.home)
        except UserError:
            crm_copy = None       # no local CRM yet: an empty one, as `run` would create
    folder = Path(tempfile.mkdtemp(prefix="crm-crew-mcp-"))
    try:
        path = message_file(folder, fields, raw)
        with _ONE_AT_A_TIME:
            run = scratch_run(ctx.config, [path], None, crm_copy, keep_crm=not local)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not run.records:
        raise UserError("the message produced no record")
    record = run.records[0]
    record.pop("run_id", None)
    record.pop("source", None)       # the scratch file's path, gone by now
    return {"record": record, "plan": record.get("actions", []), "note": SCRATCH_NOTE}
