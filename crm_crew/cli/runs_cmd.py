"""`crm-crew runs` and `crm-crew show RUN_ID`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer

from crm_crew.cli.common import ConfigOption, JsonOption, load, open_store_for, out, state_home


def runs(as_json: JsonOption = False, config: ConfigOption = None,
         limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs to list.")] = 50) -> int:
    """List runs, newest first."""
    from crm_crew.cli.render import render_runs
    from crm_crew.pipeline.run_lock import run_is_live

    cfg = load(config)
    store = open_store_for(cfg)
    home = state_home(cfg)
    listing = [asdict(r) for r in store.list_runs(limit)]
    for run in listing:
        if run["status"] == "running" and not run_is_live(home, run["run_id"]):
            run["status"] = "interrupted"   # killed: nobody holds its lock; `run --resume` finishes it
    if as_json:
        print(json.dumps(listing, indent=2))
    else:
        render_runs(out, listing)
    return 0


def show(run_id: Annotated[str, typer.Argument(help="The run to show.", show_default=False)],
         as_json: JsonOption = False, config: ConfigOption = None) -> int:
    """Show one run: its summary and every result record."""
    from crm_crew.cli.render import render_run
    from crm_crew.errors import NotFoundError

    store = open_store_for(load(config))
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' (see `crm-crew runs`)")
    results = list(store.results(run_id))
    if as_json:
        print(json.dumps({"run": asdict(info), "results": results}, indent=2))
    else:
        render_run(out, asdict(info), results)
    return 0


def register(app: Any) -> None:
    app.command()(runs)
    app.command()(show)
