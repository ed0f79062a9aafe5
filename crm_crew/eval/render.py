"""The eval report on a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render_report(console: Console, r: dict[str, Any]) -> None:
    console.print(Text(f"eval: {r['scored']} labelled messages scored of {r['records']} records; models: "
                       f"{', '.join(r['models'])}. {r['note']}."))
    headline = Table(title="Intent", show_header=False)
    for name, value in (("accuracy (with also_acceptable)", _pct(r["accuracy"])),
                        ("accuracy (strict)", _pct(r["accuracy_strict"])),
                        ("macro-F1", f"{r['macro_f1']:.3f}"), ("`other` rate", _pct(r["other_rate"])),
                        ("urgency exact / within one level",
                         f"{_pct(r['urgency']['exact'])} / {_pct(r['urgency']['within_one'])} of {r['urgency']['messages']}"),
                        ("escalated", _pct(r["escalated"])),
                        ("ECE (10 bins)", f"{r['calibration']['ece']:.3f}"),
                        ("routes", ", ".join(f"{k} {_pct(v)}" for k, v in r["routes"].items())),
                        ("model calls / tokens / USD per message",
                         f"{r['cost']['model_calls_per_message']} / {r['cost']['tokens_per_message']} / "
                         f"{r['cost']['cost_usd_per_message']:.6f}"),
                        ("throughput", f"{r['throughput_per_s']} messages/s")):
        headline.add_row(name, value)
    for key in ("escalation", "actions"):
        if key in r:
            headline.add_row(f"{key} precision / recall", f"{_pct(r[key]['precision'])} / {_pct(r[key]['recall'])}")
    console.print(headline)
    per = Table(title="Per intent")
    for col in ("intent", "precision", "recall", "F1", "support"):
        per.add_column(col, justify="left" if col == "intent" else "right")
    for intent, f in r["per_intent"].items():
        per.add_row(Text(intent), _pct(f["precision"]), _pct(f["recall"]), f"{f['f1']:.3f}", str(f["support"]))
    console.print(per)
    _confusion(console, r["confusion"])
    rel = Table(title="Reliability (confidence bins)")
    for col in ("bin", "messages", "mean confidence", "accuracy"):
        rel.add_column(col, justify="right")
    for b in r["calibration"]["reliability"]:
        if b["count"]:
            rel.add_row(b["bin"], str(b["count"]), f"{b['mean_confidence']:.3f}", _pct(b["accuracy"]))
    console.print(rel)
    if r["by_language"]:
        lang = Table(title="Per language (detected)")
        for col in ("language", "messages", "accuracy", "macro-F1", "other", "urgency exact", "ECE"):
            lang.add_column(col, justify="right")
        for code, f in r["by_language"].items():
            lang.add_row(Text(code), str(f["messages"]), _pct(f["accuracy"]), f"{f['macro_f1']:.3f}",
                         _pct(f["other_rate"]), _pct(f["urgency_exact"]), f"{f['ece']:.3f}")
        console.print(lang)
    if "fitted_calibration" in r:
        c = r["fitted_calibration"]
        console.print(Text("fitted: triage.calibration: {" + ", ".join(f"{k}: {v}" for k, v in c.items()) + "}"))
    for problem in r["label_problems"][:10]:
        console.print(Text(f"label skipped: {problem}"))


def _confusion(console: Console, matrix: dict[str, dict[str, int]]) -> None:
    predicted = sorted({p for row in matrix.values() for p in row})
    table = Table(title="Confusion (rows: expected, columns: predicted)")
    table.add_column("expected")
    for p in predicted:
        table.add_column(Text(p), justify="right")
    for gold, row in matrix.items():
        table.add_row(Text(gold), *(str(row.get(p, "")) for p in predicted))
    console.print(table)
