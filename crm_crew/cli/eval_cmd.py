"""`crm-crew eval`: how well the crew triages labelled messages, as a table or JSON, with CI thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from crm_crew.cli.common import ConfigOption, JsonOption, err, load, out, state_home


def eval_command(
    labelled: Annotated[list[Path], typer.Argument(metavar="FILE", help="Labelled interaction files (.jsonl or .json): the run "
                                                   "input format with an `expected` object per record.",
                                                   show_default=False)],
    llm: Annotated[Optional[str], typer.Option("--llm", metavar="MODEL", help="Model for every agent and route: offline or "
                                               "anthropic/<model> (default: the config's).")] = None,
    as_json: JsonOption = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", metavar="FILE", help="Also write the report as JSON to FILE.")] = None,
    min_accuracy: Annotated[Optional[float], typer.Option("--min-accuracy", metavar="X", min=0, max=1,
                                                          help="Exit 1 when intent accuracy is below X.")] = None,
    min_macro_f1: Annotated[Optional[float], typer.Option("--min-macro-f1", metavar="Y", min=0, max=1,
                                                          help="Exit 1 when intent macro-F1 is below Y.")] = None,
    max_ece: Annotated[Optional[float], typer.Option("--max-ece", metavar="Z", min=0, max=1,
                                                     help="Exit 1 when the expected calibration error is above Z.")] = None,
    with_crm: Annotated[bool, typer.Option("--with-crm", help="Start from a copy of the configured local CRM "
                                           "(default: an empty scratch CRM).")] = False,
    fit_calibration: Annotated[bool, typer.Option("--fit-calibration", help="Also print `triage.calibration` "
                                                  "coefficients fitted on these labels (offline model).")] = False,
    config: ConfigOption = None,
) -> int:
    """Run the crew in shadow mode on labelled messages and score it; writes nothing to your CRM or journal."""
    from crm_crew.errors import UsageError, UserError
    from crm_crew.eval.labels import read_labels
    from crm_crew.eval.report import Thresholds, build_report
    from crm_crew.eval.scratch import configured_crm_file, scratch_run
    from crm_crew.llm.registry import model_string_problem

    if llm and (problem := model_string_problem(llm)):
        raise UsageError(f"--llm: {problem}")
    missing = [p for p in labelled if not p.exists()]
    if missing:
        raise UserError(f"input {missing[0]} does not exist")
    cfg = load(config)
    settings = cfg.settings
    levels = list(settings.urgency.levels)
    labels = read_labels(labelled, set(settings.intents), levels)
    if not labels:
        raise UserError("no record carries an `expected` label: eval needs labelled records "
                        "(README: crm-crew eval)" + (f"; first problem: {labels.problems[0]}" if labels.problems else ""))
    crm_copy = configured_crm_file(cfg, state_home(cfg)) if with_crm else None
    from crm_crew.cli.progress import RunProgress
    from crm_crew.pipeline.counting import estimate_records

    with RunProgress(err, estimate_records(labelled, settings.limits.max_file_bytes)) as progress:
        run = scratch_run(cfg, labelled, llm, crm_copy, on_record=progress.advance)
    report = build_report(run, labels, levels, Thresholds(min_accuracy, min_macro_f1, max_ece))
    if fit_calibration:
        report["fitted_calibration"] = _fitted(run.records, labels, settings)
    if out_file is not None:
        out_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        from crm_crew.eval.render import render_report

        render_report(out, report)
    for failure in report["failed_thresholds"]:
        err.print(f"eval: {failure}", markup=False)
    return 1 if report["failed_thresholds"] else 0


def _fitted(records: list[dict[str, Any]], labels: Any, settings: Any) -> dict[str, float]:
    from crm_crew.triage.calibration import refit

    pairs = [(float(r["confidence"]), labels.by_position[key].accepts(r.get("intent")))
             for r in records if isinstance(r.get("confidence"), (int, float))
             and (key := (r.get("source") or "", r.get("position") or "")) in labels.by_position]
    return refit([c for c, _ in pairs], [ok for _, ok in pairs], settings.triage.calibration)


def register(app: Any) -> None:
    app.command(name="eval")(eval_command)
