"""`crm-crew runs` and `crm-crew show RUN_ID`."""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer

from crm_crew.cli.common import ConfigOption, JsonOption, err, load, open_store_for, out, state_home


def runs(as_json: JsonOption = False, config: ConfigOption = None,
         limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs to list.")] = 50) -> int:
    """List runs, newest first: `running` only while a process works on it, `interrupted` when it was killed;
    a run without its summary yet is counted from its journal."""
    from crm_crew.cli.render import render_runs
    from crm_crew.pipeline.run_view import run_view

    cfg = load(config)
    store = open_store_for(cfg)
    home = state_home(cfg)
    listing = [run_view(home, store, info) for info in store.list_runs(limit)]
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
    from crm_crew.pipeline.run_view import run_view

    cfg = load(config)
    store = open_store_for(cfg)
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' (see `crm-crew runs`)")
    run = run_view(state_home(cfg), store, info)
    results = list(store.results(run_id))
    url = queue or info.summary.get("queue")
    letters, problem = _dead_letters(url, run_id) if url else (None, None)
    if as_json:
        shown: dict[str, Any] = {"run": run, "results": results}
        if url:
            shown["dead_letters"] = letters
            shown["dead_letters_error"] = problem
        print(json.dumps(shown, indent=2))
        return 0
    render_run(out, run, results)
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
