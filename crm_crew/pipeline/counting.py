"""A cheap estimate of how many records the inputs hold, for the progress bar's ETA."""

from __future__ import annotations

from pathlib import Path


def _count_file(path: Path, max_file_bytes: int) -> int:
    suffix = path.suffix.lower()
    if suffix == ".eml" or path.stat().st_size > max_file_bytes:
        return 1       # one message, or one reject: a file over the readers' limit is never read
    with path.open("rb") as handle:
        if suffix in (".jsonl", ".ndjson"):
            return sum(1 for line in handle if line.strip())
        if suffix == ".csv":
            return max(0, sum(1 for line in handle if line.strip()) - 1)
        if suffix == ".mbox":
            return sum(1 for line in handle if line.startswith(b"From "))
    return 0


def estimate_records(inputs: list[Path], max_file_bytes: int) -> int | None:
    """The number of records, or None when it cannot be told cheaply; files over `max_file_bytes`
    (the readers' limit: `limits.max_file_bytes`) are not read."""
    total = 0
    for path in inputs:
        try:
            if path.is_dir() and not (path / "cur").is_dir() and not (path / "new").is_dir():
                total += sum(1 for p in path.iterdir() if p.suffix.lower() == ".eml")    # a folder of .eml files
            elif path.is_dir():
                total += sum(1 for sub in ("cur", "new") if (path / sub).is_dir() for _ in (path / sub).iterdir())
            elif path.is_file():
                count = _count_file(path, max_file_bytes)
                if count == 0:
                    return None
                total += count
        except OSError:
            return None
    return total or None
