"""What sending replies costs: the same synthetic inbox through `crm-crew run --apply` with `replies.mode: off`
(the baseline) and `send` (SMTP with implicit TLS to the tests' own server on loopback), side by side.

    python scripts/bench_replies.py --n 200 --rounds 3

Each round runs `off` then `send` (alternating, so neither gets the warmer machine). Prints one JSON object:
per mode the median wall and run times, replies the SMTP server received, distinct
Message-IDs among them (equal: no copy twice), send_reply actions by status, and the cost of `send` per reply.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from crm_crew.store.sqlite import SQLiteStore
from crm_crew.testing.configs import write_config
from crm_crew.testing.smtp_server import SmtpServer
from crm_crew.testing.synthetic import write_inbox

CRM_CREW = str(Path(sys.executable).with_name("crm-crew"))
PASSWORD_ENV = "CRM_CREW_BENCH_SMTP_PASSWORD"


def _config(folder: Path, smtp: SmtpServer, mode: str) -> Path:
    write_config(folder, {})
    path = folder / "crm-crew.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["replies"].update({"mode": mode, "from_address": "help@bench.test", "max_per_run": 100_000,
                                "max_per_recipient": 100_000})
    settings["replies"]["smtp"].update({"host": "127.0.0.1", "port": smtp.port, "security": "tls",
                                        "user": smtp.user, "password_env": PASSWORD_ENV,
                                        "tls_ca_file": str(smtp.ca_file)})
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder


def _run(work: Path, smtp: SmtpServer, mode: str, inbox: Path) -> dict[str, Any]:
    smtp.clear()
    home, conf = work / mode / "state", _config(work / mode / "conf", smtp, mode)
    env = {**os.environ, "CRM_CREW_HOME": str(home), PASSWORD_ENV: smtp.password,
           "CRM_CREW_AUDIT_KEY": "bench-audit-key-0123456789abcdef"}
    started = time.perf_counter()
    done = subprocess.run([CRM_CREW, "run", str(inbox), "--apply", "--json", "--config", str(conf)], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"{mode}: crm-crew exited {done.returncode}: {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    store = SQLiteStore(home / "journal.sqlite")
    try:
        replies = Counter(r.status for r in store.actions(summary["run_id"]) if r.type == "send_reply")
    finally:
        store.close()
    received = [m.message["Message-ID"] for m in smtp.messages]
    return {"wall_s": round(wall, 2), "run_s": summary.get("duration_s"),
            "interactions": summary.get("interactions"), "send_reply": dict(replies),
            "received": len(received), "distinct_message_ids": len(set(received))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="interactions (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3, help="off/send pairs (default 3): medians are reported")
    args = parser.parse_args()
    rounds: dict[str, list[dict[str, Any]]] = {"off": [], "send": []}
    with tempfile.TemporaryDirectory(prefix="crm-crew-bench-replies-") as tmp, SmtpServer() as smtp:
        work = Path(tmp)
        inbox = write_inbox(work / "inbox.jsonl", args.n, seed=args.seed)
        for n in range(args.rounds):
            for mode in rounds:
                rounds[mode].append(_run(work / str(n), smtp, mode, inbox))
    result: dict[str, Any] = {"n": args.n, "rounds": args.rounds}
    for mode, runs in rounds.items():
        result[mode] = {**runs[-1], "wall_s": statistics.median(r["wall_s"] for r in runs),
                        "run_s": statistics.median(r["run_s"] for r in runs), "wall_s_each": [r["wall_s"] for r in runs]}
    sent = result["send"]["send_reply"].get("applied", 0)
    extra = (result["send"]["run_s"] - result["off"]["run_s"]) / sent if sent else None
    result["send_ms_per_reply"] = round(extra * 1000, 1) if extra is not None else None
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
