"""Where the audit key comes from: the environment variable, else the key file in the state folder.

The environment variable (`audit.key_env`, CRM_CREW_AUDIT_KEY by default) always wins. Without it, the
embedded journal uses `audit.key` in the state folder: the first writing command on a fresh trail creates
it (mode 0600) and says where it is, once; later commands, in any shell, read it. A trail that already has
entries never gets a new key file: its key comes from wherever it came from when it was written. A shared
store (PostgreSQL) has no key file: every machine must use the same key, so it comes from the variable.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from crm_crew.errors import UserError
from crm_crew.storage import storage_error
from crm_crew.store.audit import MIN_KEY_CHARS, AuditKey

KEY_FILE = "audit.key"


@dataclass(frozen=True)
class KeySource:
    key: AuditKey
    origin: str          # "CRM_CREW_AUDIT_KEY" or "the key file PATH", for messages
    env_name: str


def key_file(home: Path) -> Path:
    return home / KEY_FILE


def find_key(env_name: str, home: Path, embedded: bool) -> KeySource | None:
    """The key from the variable, else (embedded journal) from an existing key file; None when neither."""
    value = os.environ.get(env_name, "").strip()
    if value:
        if len(value) < MIN_KEY_CHARS:
            raise UserError(f"the audit key in {env_name} is too short: use at least {MIN_KEY_CHARS} characters")
        return KeySource(AuditKey(value), env_name, env_name)
    path = key_file(home)
    if not embedded or not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise storage_error(exc, path) from exc
    if len(text) < MIN_KEY_CHARS:
        raise UserError(f"the audit key file {path} is empty or too short (at least {MIN_KEY_CHARS} characters): "
                        f"restore it from your backup, or set {env_name}")
    return KeySource(AuditKey(text), f"the key file {path}", env_name)


def require_key(env_name: str, home: Path, embedded: bool) -> KeySource:
    """The key, or a UserError saying how to provide one."""
    found = find_key(env_name, home, embedded)
    if found is None:
        where = f" or keep it in {key_file(home)}" if embedded else ""
        raise UserError(f"the audit trail needs a secret key: set the environment variable {env_name} "
                        f"(named by audit.key_env in crm-crew.yaml){where}, e.g. "
                        f"export {env_name}=$(python3 -c 'import secrets; print(secrets.token_hex(32))') "
                        "and keep it: `crm-crew audit verify` needs the same key")
    return found


def create_key_file(env_name: str, home: Path) -> KeySource:
    """A new random key in the state folder (mode 0600); its location (never the key) goes to stderr once."""
    path = key_file(home)
    secret = secrets.token_hex(32)
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:   # another process made it first: use theirs
        found = find_key(env_name, home, True)
        assert found is not None
        return found
    except OSError as exc:
        raise storage_error(exc, path) from exc
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(secret + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    print(f"crm-crew: created the audit key file {path.absolute()} (mode 0600). Back it up, or move it to a "
          f"secrets manager and set {env_name} instead: `crm-crew audit verify` needs this key, and a lost key "
          "means a trail nobody can verify.", file=sys.stderr)
    return KeySource(AuditKey(secret), f"the key file {path}", env_name)
