"""The eval report: figures for every message and per language, cost and speed, threshold verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_crew.eval.labels import Labels
from crm_crew.eval.metrics import Scored, by_language, evaluate
from crm_crew.eval.scratch import SCRATCH_NOTE, ScratchRun


@dataclass(frozen=True)
class Thresholds:
    min_accuracy: float | None = None
    min_macro_f1: float | None = None
    max_ece: float | None = None

    def failures(self, figures: dict[str, Any]) -> list[str]:
        failed = []
        if self.min_accuracy is not None and figures["accuracy"] < self.min_accuracy:
            failed.append(f"accuracy {figures['accuracy']:.3f} < --min-accuracy {self.min_accuracy}")
        if self.min_macro_f1 is not None and figures["macro_f1"] < self.min_macro_f1:
            failed.append(f"macro-F1 {figures['macro_f1']:.3f} < --min-macro-f1 {self.min_macro_f1}")
        ece = figures["calibration"]["ece"]
        if self.max_ece is not None and ece > self.max_ece:
            failed.append(f"ECE {ece:.3f} > --max-ece {self.max_ece}")
        return failed


def build_report(run: ScratchRun, labels: Labels, levels: list[str], thresholds: Thresholds) -> dict[str, Any]:
    items = [Scored(r, labels.by_position[(r.get("source") or "", r.get("position") or "")])
             for r in run.records if (r.get("source") or "", r.get("position") or "") in labels.by_position]
    summary = run.summary
    n = max(len(run.records), 1)
    figures = evaluate(items, levels)
    report: dict[str, Any] = {
        "note": SCRATCH_NOTE,
        "models": sorted(set(summary.get("models", {}).values())),
        "records": len(run.records), "labelled": len(labels), "scored": len(items),
        "label_problems": labels.problems,
        **figures,
        "by_language": by_language(items, levels),
        "cost": {"model_calls_per_message": round(summary.get("llm_calls", 0) / n, 3),
                 "tokens_per_message": round(summary.get("tokens", 0) / n, 1),
                 "cost_usd_per_message": round(summary.get("cost_usd", 0.0) / n, 6),
                 "cost_usd": summary.get("cost_usd", 0.0)},
        "throughput_per_s": summary.get("throughput_per_s", 0.0),
        "duration_s": summary.get("duration_s", 0.0),
    }
    report["failed_thresholds"] = thresholds.failures(figures) if items else ["no labelled message was scored"]
    return report
