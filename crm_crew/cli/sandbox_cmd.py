"""`crm-crew sandbox salesforce|hubspot|rest`: run a CRM emulator in the foreground."""

from __future__ import annotations

import shlex
import signal
import sys
import threading
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

from crm_crew.cli.common import err, out


class SandboxKind(str, Enum):
    salesforce = "salesforce"
    hubspot = "hubspot"
    rest = "rest"


def register(app: typer.Typer) -> None:
    app.command("sandbox")(sandbox)


def sandbox(
    kind: Annotated[SandboxKind, typer.Argument(
        metavar="KIND", help="Which CRM to emulate: salesforce, hubspot or rest.", show_default=False)],
    port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1 (0: any free port).")] = 0,
    token: Annotated[str, typer.Option("--token", help="The access token the emulator accepts.")] = "sandbox-token",
    rate_429: Annotated[float, typer.Option("--fault-429", metavar="SHARE", help="Share of requests answered 429.")] = 0.0,
    rate_5xx: Annotated[float, typer.Option("--fault-5xx", metavar="SHARE", help="Share of requests answered 500/502/503.")] = 0.0,
    latency: Annotated[float, typer.Option("--latency", metavar="SECONDS", help="Seconds added to every request.")] = 0.0,
    write_config: Annotated[Optional[Path], typer.Option(
        "--write-config", metavar="DIR", help="Also write a config folder pointing crm-crew at this sandbox.",
        show_default=False)] = None,
) -> int:
    """Run a CRM emulator on loopback until Ctrl-C, for trying crm-crew without credentials.

    It keeps state in memory, speaks the real API's paths, codes and headers (Salesforce
    over https with a self-signed certificate made at start-up), and injects faults on
    demand: the flags here, or POST /_emulator/faults (see the README).
    """
    from crm_crew.testing import emulator_class

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())   # before anything is printed: a stop may follow at once
    emulator = emulator_class(kind.value)(port=port, token=token)
    emulator.faults.configure(rate_429=rate_429, rate_5xx=rate_5xx, latency_s=latency)
    emulator.start()
    try:
        connection = emulator.connection()
        snippet = yaml.safe_dump({"crm": connection["crm"]}, sort_keys=False).rstrip()
        out.print(f"{kind.value} sandbox listening on {emulator.url}")
        out.print("point crm-crew at it with this in crm-crew.yaml:\n\n" + snippet + "\n")
        for name, value in connection["env"].items():
            out.print(f"export {name}={value}")
        if write_config is not None:
            from crm_crew.testing.configs import write_config as write_config_folder

            write_config_folder(write_config, connection["crm"])
            folder = shlex.quote(str(write_config.absolute()))
            out.print(f"\nwrote {folder}; --config is an option of each command, for example:\n"
                      f"  crm-crew validate --config {folder}\n"
                      f"  crm-crew run --config {folder} INBOX\n"
                      f"or, for every command of this shell: export CRM_CREW_CONFIG={folder}")
        out.print("\nCtrl-C stops it (its records live in memory only).")
        sys.stdout.flush()
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        err.print(f"{kind.value} sandbox stopped")
    return 0

