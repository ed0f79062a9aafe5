"""`crm-crew runs` and `crm-crew show RUN_ID`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any, Optional

import typer

from crm_crew.cli.common import ConfigOption, JsonOption, err, load, open_store_for, out, state_home


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
         as_json: JsonOption = False, config: ConfigOption = None,
         queue: Annotated[Optional[str], typer.Option(
             "--queue", metavar="URL", show_default=False,
             help="The queue of a queued run, when its Redis needs a password (the run stores it without).")] = None,
         ) -> int:
    """Show one run: its summary, every result record, and a queued run's dead letters."""
    from crm_crew.cli.render import render_run
    from crm_crew.errors import NotFoundError

    store = open_store_for(load(config))
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' (see `crm-crew runs`)")
    results = list(store.results(run_id))
    url = queue or info.summary.get("queue")
    letters, problem = _dead_letters(url, run_id) if url else (None, None)
    if as_json:
        shown: dict[str, Any] = {"run": asdict(info), "results": results}
        if url:
            shown["dead_letters"] = letters
            shown["dead_letters_error"] = problem
        print(json.dumps(shown, indent=2))
        return 0
    render_run(out, asdict(info), results)
    if problem:
        err.print(f"dead letters unknown: {problem}")
    elif letters:
        out.print(f"{len(letters)} dead letter(s): jobs that failed every retry; "
                  f"`crm-crew run --resume {run_id} --queue URL` requeues them")
        for letter in letters:
            out.print(f"  {letter['interaction_id']}  {letter['failed_at'] or '-'}  {letter['error']}")
    return 0


def _dead_letters(url: str, run_id: str) -> tuple[list[dict[str, Any]] | None, str | None]:
    from crm_crew.errors import CrmCrewError
    from crm_crew.pipeline.rq_runner import dead_letters, open_queue

    try:
        return dead_letters(open_queue(url), run_id), None
    except CrmCrewError as exc:
        return None, str(exc)


def register(app: Any) -> None:
    app.command()(runs)
    app.command()(show)
