"""Interaction readers: turn input files into a stream of Interaction or Reject.

    read_interactions(path) -> Iterator[Interaction | Reject]

The format is chosen from the path: JSON Lines, CSV, a single .eml, an mbox file, a
Maildir directory or a folder of .eml files. Records are read one at a time, and a bad record becomes a Reject
without stopping the others. Problems with the file itself (missing, empty, too large,
unsupported) become one Reject with position "file".
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Callable, Iterator

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers.common import Limits
from crm_crew.pipeline.readers.csv_reader import read_csv
from crm_crew.pipeline.readers.email_reader import eml_files, read_eml, read_eml_folder, read_maildir, read_mbox
from crm_crew.pipeline.readers.jsonl import read_jsonl
from crm_crew.pipeline.readers.text import html_to_text, split_reply

__all__ = ["SUPPORTED_FORMATS", "read_interactions", "split_reply", "html_to_text"]

SUPPORTED_FORMATS = (
    "JSON Lines (.jsonl, .ndjson), CSV with a header row (.csv), "
    "a single email (.eml), an mbox file (.mbox, or any file starting with 'From '), "
    "a Maildir directory (with cur/ and new/ subfolders), or a folder of .eml files"
)

Reader = Callable[[Path, Limits], Iterator[Interaction | Reject]]

_BY_SUFFIX: dict[str, Reader] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".eml": read_eml,
    ".mbox": read_mbox,
}


def _directory_reader(path: Path) -> Reader | str:
    """read_maildir for a Maildir, read_eml_folder for a folder of .eml files, else the reason the
    directory cannot be read."""
    has_cur, has_new = (path / "cur").is_dir(), (path / "new").is_dir()
    if has_cur and has_new:
        return read_maildir
    if has_cur or has_new:
        missing = "new/" if has_cur else "cur/"
        return f"incomplete Maildir: {missing} subfolder is missing (a Maildir needs cur/ and new/)"
    if eml_files(path):
        return read_eml_folder
    return f"is a directory with no .eml files, not a Maildir (no cur/ and new/ subfolders); supported: {SUPPORTED_FORMATS}"


def _file_reader(path: Path) -> Reader | str:
    reader = _BY_SUFFIX.get(path.suffix.lower())
    if reader is not None:
        return reader
    with path.open("rb") as handle:
        if handle.read(5) == b"From ":
            return read_mbox
    shown = f"extension '{path.suffix}'" if path.suffix else "no file extension"
    return f"unsupported file type ({shown}); supported: {SUPPORTED_FORMATS}"


def read_interactions(
    path: Path,
    *,
    max_body_chars: int = 100_000,
    max_subject_chars: int = 2_000,
    max_file_bytes: int = 100 * 1024 * 1024,
) -> Iterator[Interaction | Reject]:
    """Stream the interactions of one input file or Maildir, rejecting bad records."""
    path = Path(path)
    source = str(path)
    limits = Limits(max_body_chars, max_subject_chars, max_file_bytes)
    try:
        info = path.stat()
    except FileNotFoundError:
        yield Reject(source, "file", "file not found")
        return
    except OSError as error:
        yield Reject(source, "file", f"cannot read file: {error.strerror or error}")
        return

    try:
        if stat.S_ISDIR(info.st_mode):
            chosen = _directory_reader(path)
        elif not stat.S_ISREG(info.st_mode):
            chosen = "not a regular file"
        elif info.st_size == 0:
            chosen = "file is empty"
        elif info.st_size > max_file_bytes:
            chosen = f"file too large: {info.st_size} bytes (limit {max_file_bytes})"
        else:
            chosen = _file_reader(path)
    except OSError as error:
        chosen = f"cannot read file: {error.strerror or error}"
    if isinstance(chosen, str):
        yield Reject(source, "file", chosen)
        return

    try:
        yield from chosen(path, limits)
    except OSError as error:
        yield Reject(source, "file", f"cannot read file: {error.strerror or error}")
