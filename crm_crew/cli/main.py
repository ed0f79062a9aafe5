"""The crm-crew command line: one Typer app, one error handler, exit codes.

Exit codes: 0 all records processed or escalated; 1 the run could not start or died; 130 interrupted (Ctrl-C);
2 usage error; 3 finished but some records were rejected or failed (rollback: conflicts
remain); 4 the audit trail or the journal was tampered with (`audit verify` or `report` found it, or a
writing command refused to act on it).
"""

from __future__ import annotations

import sys
import traceback
from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from crm_crew import __version__
from crm_crew.cli import (
    config_cmd,
    crm_cmd,
    eval_cmd,
    report_cmd,
    rollback_cmd,
    run_cmd,
    runs_cmd,
    sandbox_cmd,
    watch_cmd,
    worker_cmd,
)
from crm_crew.cli.audit_cmd import audit_app
from crm_crew.cli.common import err, state_home
from crm_crew.cli.help_words import use_words
from crm_crew.cli.mcp_cmd import mcp_app
from crm_crew.cli.outbox_cmd import outbox_app
from crm_crew.cli.review_cmd import review_app

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

HELP = """Keep a CRM true to customer interactions with a crew of six AI agents.

With no configuration it runs on the embedded local CRM and the OFFLINE MODEL: a
deterministic policy (lexicon sentiment, keyword rules for intent and urgency, reply
templates) that needs no API key and no network. Set an agent's `llm` to
anthropic/<model> in agents.yaml to run it on Claude.

Runs are shadow runs by default: they plan CRM changes and write nothing until
--apply or `crm-crew apply RUN_ID`.
"""

app = typer.Typer(help=HELP, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None)


def _version(value: bool) -> None:
    if value:
        print(f"crm-crew {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    pass


run_cmd.register(app)
eval_cmd.register(app)
runs_cmd.register(app)
report_cmd.register(app)
config_cmd.register(app)
app.add_typer(crm_cmd.crm_app, name="crm")
sandbox_cmd.register(app)
app.add_typer(review_app, name="review")
app.add_typer(audit_app, name="audit")
app.add_typer(mcp_app, name="mcp")
app.add_typer(outbox_app, name="outbox")
rollback_cmd.register(app)
worker_cmd.register(app)
watch_cmd.register(app)
use_words(app)


def _crash_log(exc: BaseException) -> str:
    home = state_home(None)
    try:
        home.mkdir(parents=True, exist_ok=True)
        path = home / f"crash-{datetime.now(timezone.utc).strftime('%Y%m%d-%H%M%S')}.log"
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        return str(path)
    except OSError:
        return "(could not write a crash log)"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every known error maps to one."""
    from crm_crew.errors import ConfigError, CrmCrewError

    try:
        result = app(args=argv, prog_name="crm-crew", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except click_exceptions.UsageError as exc:
        exc.show()
        return 2
    except typer.Abort:
        err.print("aborted")
        return 1
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(str(problem))
        err.print(f"{len(exc.problems)} problem(s) in the configuration; fix them and run `crm-crew validate`.")
        return 1
    except CrmCrewError as exc:
        err.print(f"error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted (Ctrl-C)")
        return 130
    except Exception as exc:  # the one place unknown errors land
        err.print(f"internal error: {type(exc).__name__}: {exc}\ncrash log: {_crash_log(exc)}")
        return 1


def run_cli() -> None:
    sys.exit(main())
