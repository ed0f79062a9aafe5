"""The audit key of a command that writes, checked before anything is written.

A key that does not verify the trail's head (or the anchor) would start entries nobody can
verify alongside the old ones: writing commands refuse it and say how to fix it. A trail cut
short or replaced behind the anchor's back is refused too (exit 4): writing onto it would bury
the evidence. Once checked, the key seals every action row the store writes.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from crm_crew.errors import JournalTampered, UserError
from crm_crew.store.anchor import ANCHOR_FILE, Anchor, AnchorFile, AnchorKeyMismatch
from crm_crew.store.audit import AuditHead, AuditKey
from crm_crew.store.base import Store
from crm_crew.store.key_source import KeySource, create_key_file, find_key, require_key
from crm_crew.store.sqlite import SQLiteStore


def wrong_key(source: KeySource, what: str, where: str) -> str:
    key_env = source.env_name
    return (f"the audit key in {source.origin} does not verify {what} ({where}): it is not the key this trail was "
            f"written with, or {what} was altered. Nothing was written. Set {key_env} to the key the trail was "
            f"written with (`crm-crew audit verify` exits 0 with the right one); if that key is lost, keep this "
            "journal as the record and start a new state folder (CRM_CREW_HOME) or store: one trail cannot mix keys")


def head_verifies(key: AuditKey, head: AuditHead) -> bool:
    return hmac.compare_digest(key.head_mac(head.seq, head.hash), head.mac)


def anchor_problem(store: Store, head: AuditHead | None, anchor: Anchor, path: Path) -> str | None:
    """Why the trail is not (a continuation of) the one the anchor saw; None when it is."""
    if anchor.seq == 0:
        return None
    last = head.seq if head else 0
    if last < anchor.seq:
        return (f"the audit trail ends at entry {last} but had reached entry {anchor.seq} when crm-crew last "
                f"saw it (anchor {path}): entries were deleted, or an older copy of the journal was restored")
    entry = store.audit_entry(anchor.seq)
    if entry is None or not hmac.compare_digest(entry.hash, anchor.hash):
        return (f"entry {anchor.seq} of the audit trail is not the one crm-crew saw (anchor {path}): "
                "the trail was rewritten or replaced by another copy")
    return None


def anchor_file(home: Path, store: Store, key: AuditKey) -> AnchorFile:
    """The anchor in the state folder; a journal inside that folder is named relative to it, so the
    folder can move (or be copied) with its anchor."""
    location = store.location
    try:
        location = Path(location).relative_to(home.absolute()).as_posix()
    except ValueError:
        pass   # a journal elsewhere, or a server
    return AnchorFile(home / ANCHOR_FILE, location, key)


def is_embedded(store: Store) -> bool:
    """The SQLite journal in the state folder (the only store that keeps its key in a key file)."""
    return isinstance(store, SQLiteStore)


def is_fresh(home: Path, store: Store) -> bool:
    """No entry written and no anchor yet: a key file made now starts the trail."""
    return store.audit_head() is None and store.audit_entry(1) is None and not (home / ANCHOR_FILE).exists()


class Trail:
    def __init__(self, store: Store, source: KeySource, anchor: AnchorFile) -> None:
        self.store = store
        self.source = source
        self.key = source.key
        self.anchor = anchor

    @classmethod
    def open(cls, key_env: str, home: Path, store: Store) -> Trail:
        """The key (variable, else key file; a fresh embedded trail gets a new key file), checked against
        the store; it then seals the store's action rows."""
        embedded = is_embedded(store)
        source = find_key(key_env, home, embedded)
        if source is None and embedded and is_fresh(home, store):
            source = create_key_file(key_env, home)
        return cls._checked(source or require_key(key_env, home, embedded), home, store)

    @classmethod
    def open_if_set(cls, key_env: str, home: Path, store: Store) -> Trail | None:
        """For commands that write only the journal (shadow runs): seal with the key when there is one
        (a fresh embedded trail gets its key file here too, so `apply` can later take the sealed plan)."""
        embedded = is_embedded(store)
        source = find_key(key_env, home, embedded)
        if source is None and embedded and is_fresh(home, store):
            source = create_key_file(key_env, home)
        return cls._checked(source, home, store) if source is not None else None

    @classmethod
    def _checked(cls, source: KeySource, home: Path, store: Store) -> Trail:
        trail = cls(store, source, anchor_file(home, store, source.key))
        trail.check()
        store.seal_with(source.key)
        trail.checkpoint()
        return trail

    def check(self) -> None:
        store = self.store
        try:
            anchor = self.anchor.read()   # before the head: other processes only ever move both forward
        except AnchorKeyMismatch:
            raise UserError(wrong_key(self.source, "the audit anchor", str(self.anchor.path))) from None
        head = store.audit_head()
        if head is not None and not head_verifies(self.key, head):
            raise UserError(wrong_key(self.source, "the head of the audit trail", store.location))
        if head is None and store.audit_entry(1) is not None:
            raise JournalTampered("the head record of the audit trail is missing while it has entries: nothing "
                                  "was written. Run `crm-crew audit verify`")
        if anchor is not None and (problem := anchor_problem(store, head, anchor, self.anchor.path)):
            raise JournalTampered(f"{problem}. Nothing was written. Run `crm-crew audit verify`; if the journal "
                                  f"was replaced on purpose (a new store), move {self.anchor.path} away")

    def checkpoint(self) -> AuditHead | None:
        """Move the anchor to the current head; return the head (a checkpoint the user may record)."""
        head = self.store.audit_head()
        if head is not None and not head_verifies(self.key, head):
            raise UserError(wrong_key(self.source, "the head of the audit trail", self.store.location))
        self.anchor.advance(head)
        return head
