"""Drive the real CLI in-process (same parsing, same error handler) or as a subprocess."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
SAMPLES = CONFIG / "samples"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def cli(*args: str, home: Path, env: dict[str, str] | None = None) -> Result:
    """Run `crm-crew ARGS` in this process with CRM_CREW_HOME=home."""
    from crm_crew.cli.main import main

    saved = dict(os.environ)
    os.environ["CRM_CREW_HOME"] = str(home)
    os.environ.pop("CRM_CREW_CONFIG", None)
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Result(code, out.getvalue(), err.getvalue())


def cli_process(*args: str, home: Path, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
    """Run the installed console script in a subprocess (no terminal)."""
    full_env = {**os.environ, "CRM_CREW_HOME": str(home), **(env or {})}
    full_env.pop("CRM_CREW_CONFIG", None)
    exe = Path(sys.executable).with_name("crm-crew")
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def interruptible() -> None:
    """preexec_fn for a CLI subprocess a test stops with SIGINT: a background job (cron, `cmd &`, CI) may
    inherit SIGINT ignored, and Python then never turns Ctrl-C into KeyboardInterrupt (exit 130)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
