"""Benchmark crm-crew against a plain CrewAI baseline on the same synthetic inbox, in one invocation.

    python scripts/bench.py [--mode offline|claude-sim] [--n N] [--baseline-n M] [--concurrency C]
                            [--latency SECONDS] [--rpm R] [--seed S] [--only crm_crew|baseline] [--keep DIR]
                            [--runner inprocess|rq] [--workers W] [--store sqlite|postgres] [--metrics]
                            [--tracing] [--tracing-rounds R] [--batch]

  --mode         offline: the offline model (no network). claude-sim: the fake Anthropic Messages API on
                 loopback (crm_crew.testing.anthropic_api.FakeAnthropic) answering with
                 crm_crew.testing.crew_policy.crew_policy(settings), every agent on anthropic/claude-haiku-4-5.
  --n            interactions for crm-crew (crm_crew.testing.synthetic.write_inbox, seeded). Default 60.
  --baseline-n   interactions for the baseline: the first M of the same inbox. Default min(N, 200); its
                 figures are per-interaction rates, so they compare with crm-crew's.
  --concurrency  interactions processed at once by each system. Default 1 (offline), 16 (claude-sim).
  --latency      claude-sim: seconds the fake API takes per request. Default 1.0.
  --rpm          claude-sim: requests per minute the fake API admits (then 429 with retry-after); crm-crew's
                 llm.rate_limits.requests_per_minute is set to the same R. Default 600.
  --seed         inbox seed. Default 0.
  --only         run one system only (the other's object is {} and the ratios are null).
  --keep DIR     work in DIR and keep it (inbox, configs, state folders, records, logs); default: a temp dir.
  --runner       crm-crew's runner. inprocess (default): one process. rq: the run on a queue of the bench's own
                 redis-server, processed by W `crm-crew worker --burst` processes (scripts/bench_rq.py).
  --workers      rq: worker processes. Default 1.
  --metrics      then run crm-crew with its metrics on, off, on (on: pushed every second to the bench's own
                 Pushgateway): "metrics" holds the throughputs and wall times, the throughputs' medians
                 (off counts the main run too) and throughput_cost = 1 - on / off.
  --store        rq: sqlite (default: the one state folder every worker shares) or postgres (the bench's own
                 PostgreSQL as DATABASE_URL).
  --tracing      also run crm-crew R times with tracing off and R times on (alternating; on: every span
                 exported over OTLP/HTTP to a receiver on loopback the bench starts): the result gets a
                 "tracing" object (scripts/bench_tracing.py) with each round's throughput, the best of each
                 side and cost_fraction = 1 - on / off.
  --tracing-rounds  R for --tracing. Default 2.
  --batch        claude-sim: also run crm-crew with `run --batch` (the lean requests as Message Batches, the
                 fake API's batches end 1 s after creation, polled every second): its figures in
                 "crm_crew_batch", its cost ratio in ratios.cost_per_1000_batch.

Each system runs in its own child process, so its peak RSS (wait4) is its own. crm-crew: the real CLI,
`crm-crew run INBOX --out results.jsonl --json --concurrency C` in shadow mode with a fresh state folder;
per-interaction figures come from its result records (status failed or rejected = error), throughput is
n / the summary's duration_s (processing time, without interpreter start or the end-of-run analytics). Baseline:
scripts/bench_baseline.py (a stock hierarchical crew via Crew.kickoff_for_each_async: no routing, caching or
shared rate limiting; the config's roles with the one-task-per-agent crew of crm_crew.testing.configs.CREW_V1,
so it does not move when crm-crew's own crew does). Both CRMs start as the local SQLite CRM holding config/samples/contacts.csv.

Prints ONE JSON object on stdout: {"mode", "n", "baseline_n", "concurrency", "crm_crew": {...},
"baseline": {...}, "ratios": {...}}; each system's object has throughput_per_s, calls_per_interaction,
tokens_per_interaction, calls_p95, tokens_p95, latency_p50_ms, latency_p95_ms, peak_rss_mb, errors and
rate_limited (429s the fake API answered during that system's phase); in claude-sim each system also has
"cost": what the fake API served it (every request, crm-crew's analytics call too) priced at the list prices
of config/crm-crew.yaml `llm.prices` (scripts/bench_cost.py): cost_usd, cost_usd_per_1000,
tokens_by_class_per_interaction (input, output, cache read, cache write 5 m / 1 h), requests_per_interaction
and batch_requests (batch requests at the batch rates), and ratios has cost_per_1000 (crm-crew / baseline)
and, with --batch, cost_per_1000_batch; crm_crew also has
ceiling_per_s = R / 60 / calls_per_interaction and ceiling_fraction = throughput / ceiling; crm_crew also has
by_route (per route: interactions, share, calls and tokens per interaction). ratios are crm_crew / baseline for
throughput_per_s, calls_per_interaction and tokens_per_interaction, plus routine_calls_per_interaction and
routine_tokens_per_interaction: crm-crew's lean-route (routine) interactions against the baseline's average.
With --runner rq, crm_crew also has runner, workers, store, handoff_p50_ms / handoff_p95_ms (rq's enqueue to job
start), pickup_p50_ms / pickup_p95_ms (job start after the worker was free and the job queued), jobs_per_s (all
workers, first job start to last job end), jobs_per_s_per_worker, follower_peak_rss_mb and worker_peak_rss_mb
(every worker's); its peak_rss_mb is the largest worker's, and its throughput_per_s includes the workers' boot.
Progress and diagnostics go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml
from bench_cost import cost_figures, cost_ratios
from bench_measure import Child, crm_crew_samples, log, ratios, read_samples, run_child, system_figures
from bench_rq import job_timings, queue_figures, queue_servers, run_queued
from bench_tracing import tracing_overhead

from crm_crew.llm.pricing import PriceTable
from crm_crew.testing.configs import with_crew_v1
from crm_crew.testing.synthetic import write_inbox

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent
MODEL = "anthropic/claude-haiku-4-5"
BIG_TOKEN_LIMIT = 1_000_000_000
RUN_ID = "bench"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("offline", "claude-sim"), default="offline")
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--baseline-n", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=("crm_crew", "baseline"), default=None)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--runner", choices=("inprocess", "rq"), default="inprocess")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--metrics", action="store_true")
    parser.add_argument("--tracing", action="store_true")
    parser.add_argument("--tracing-rounds", type=int, default=2)
    parser.add_argument("--batch", action="store_true")
    args = parser.parse_args(argv)
    if args.n < 1 or args.rpm < 1 or args.latency < 0 or args.workers < 1 or args.tracing_rounds < 1:
        parser.error("--n, --rpm, --workers and --tracing-rounds must be at least 1, --latency at least 0")
    args.baseline_n = min(args.n, 200) if args.baseline_n is None else max(1, args.baseline_n)
    if args.concurrency is None:
        args.concurrency = 1 if args.mode == "offline" else 16
    return args


def prepare_config(work: Path, args: argparse.Namespace, base_url: str | None) -> Path:
    """A copy of the repo's config; in claude-sim pointed at the fake API with its rate limit."""
    config = work / "config"
    shutil.copytree(REPO / "config", config, dirs_exist_ok=True)
    if base_url is not None:
        path = config / "crm-crew.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        llm = data.setdefault("llm", {})
        llm.setdefault("anthropic", {})["base_url"] = base_url
        llm["rate_limits"] = {"requests_per_minute": args.rpm, "input_tokens_per_minute": BIG_TOKEN_LIMIT,
                              "output_tokens_per_minute": BIG_TOKEN_LIMIT}
        llm["batch_poll_s"] = 1
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return config


def seed_crm(config: Path, home: Path) -> None:
    """A fresh state folder whose local CRM holds the sample contacts the synthetic inbox writes from."""
    from crm_crew.config.loader import load_config
    from crm_crew.connectors.contacts_file import read_contact_rows
    from crm_crew.connectors.importer import import_contacts
    from crm_crew.connectors.registry import open_crm

    shutil.rmtree(home, ignore_errors=True)      # a reused --keep folder starts over
    home.mkdir(parents=True)
    crm = open_crm(load_config(config).settings.crm, home)
    try:
        import_contacts(crm, read_contact_rows(config / "samples" / "contacts.csv"))
    finally:
        crm.close()


def _policy(config: Path) -> Any:
    from crm_crew.config.loader import load_config

    try:
        from crm_crew.testing.crew_policy import crew_policy  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from crm_crew.testing.anthropic_policies import tool_then_text_policy

        log("crm_crew.testing.crew_policy is missing: the fake API answers with tool_then_text_policy")
        return tool_then_text_policy
    return crew_policy(load_config(config).settings)


@contextmanager
def fake_api(args: argparse.Namespace, config: Path) -> Iterator[Any]:
    if args.mode != "claude-sim":
        yield None
        return
    from crm_crew.testing.anthropic_api import FakeAnthropic

    with FakeAnthropic(policy=_policy(config), rpm=args.rpm, latency_s=args.latency) as server:
        yield server


def _env(work: Path, home: Path, server: Any, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["CRM_CREW_HOME"] = str(home)
    env.setdefault("CRM_CREW_AUDIT_KEY", "bench-" + secrets.token_hex(16))
    env.pop("CRM_CREW_CONFIG", None)
    env.pop("DATABASE_URL", None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if server is not None:
        env["ANTHROPIC_API_KEY"] = server.api_key
    return env


def _report_failure(name: str, child: Child, stderr: Path) -> None:
    tail = stderr.read_text(encoding="utf-8", errors="replace")[-2000:] if stderr.exists() else ""
    log(f"{name} exited with {child.returncode}; its stderr ends with:\n{tail}")


def _rate_limited(server: Any) -> int:
    return int(server.stats()["rate_limited"]) if server is not None else 0


def run_crm_crew(work: Path, config: Path, inbox: Path, args: argparse.Namespace, server: Any,
                 queue: dict[str, str], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    home, results = work / "crm_crew_home", work / "crm_crew_results.jsonl"
    seed_crm(config, home)
    cli = Path(sys.executable).with_name("crm-crew")
    cli_cmd = [str(cli)] if cli.exists() else [sys.executable, "-c", "from crm_crew.cli.main import run_cli; run_cli()"]
    cmd = cli_cmd + ["run", str(inbox), "--out", str(results), "--json", "--run-id", RUN_ID, "--concurrency",
                     str(args.concurrency), "--config", str(config), "--llm", "offline" if server is None else MODEL, *extra]
    if server is not None:
        server.reset_records()
    log(f"crm-crew: {args.n} interactions, concurrency {args.concurrency}, runner {args.runner}")
    env = _env(work, home, server, queue.get("DATABASE_URL"))
    workers: list[Child] = []
    if args.runner == "rq":
        worker_cmd = cli_cmd + ["worker", "--queue", queue["queue"], "--burst", "--config", str(config)]
        child, workers = run_queued(cmd + ["--queue", queue["queue"]], worker_cmd, env, queue["queue"], args.n,
                                    args.workers, work)
    else:
        child = run_child(cmd, env, work / "crm_crew_summary.json", work / "crm_crew.stderr")
    if any(worker.returncode != 0 for worker in workers):
        log(f"worker exit codes: {[worker.returncode for worker in workers]} (see worker_*.stderr with --keep)")
    if child.returncode not in (0, 3) or not results.exists():     # 3: some interactions failed
        _report_failure("crm-crew", child, work / "crm_crew.stderr")
        raise SystemExit(f"crm-crew run failed (exit {child.returncode})")
    summary = json.loads((work / "crm_crew_summary.json").read_text(encoding="utf-8"))
    samples = crm_crew_samples(results)
    figures = system_figures(samples, float(summary["duration_s"]), child.peak_rss_mb, _rate_limited(server))
    figures["wall_s"] = round(child.wall_s, 2)
    figures["cpu_s"] = child.cpu_s
    if args.runner == "rq":
        figures.update(_rq_figures(args, work, queue["queue"], inbox_ids(inbox), child, workers))
    if server is not None:
        figures["server"] = server.stats()
        figures["cost"] = cost_figures(figures["server"], args.n, _prices(config), MODEL)
        figures["summary_cost_usd"] = summary.get("cost_usd")       # the run's own account: the same
        calls = figures["calls_per_interaction"]
        figures["ceiling_per_s"] = round(args.rpm / 60 / calls, 3) if calls else None
        figures["ceiling_fraction"] = (round(figures["throughput_per_s"] / figures["ceiling_per_s"], 3)
                                       if figures["ceiling_per_s"] else None)
    log(f"crm-crew done in {child.wall_s:.1f} s")
    return figures


def inbox_ids(inbox: Path) -> list[str]:
    """The interaction ids of the inbox, in order."""
    lines = inbox.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["id"]) for line in lines if line.strip()]


def _rq_figures(args: argparse.Namespace, work: Path, url: str, ids: list[str], follower: Child,
                workers: list[Child]) -> dict[str, Any]:
    """The queue's figures; the job timings they come from are kept in rq_jobs.json."""
    figures: dict[str, Any] = {"runner": "rq", "workers": args.workers, "store": args.store}
    timings = job_timings(url, RUN_ID, ids)
    (work / "rq_jobs.json").write_text(json.dumps([asdict(t) for t in timings], default=str, indent=1),
                                       encoding="utf-8")
    figures.update(queue_figures(timings))
    figures.update(peak_rss_mb=max(worker.peak_rss_mb for worker in workers),
                   follower_peak_rss_mb=follower.peak_rss_mb,
                   worker_peak_rss_mb=[worker.peak_rss_mb for worker in workers])
    return figures


def run_baseline(work: Path, crm_config: Path, args: argparse.Namespace, server: Any) -> dict[str, Any]:
    home, out = work / "baseline_home", work / "baseline_samples.json"
    inbox = write_inbox(work / "inbox_baseline.jsonl", args.baseline_n, args.seed)
    config = with_crew_v1(Path(shutil.copytree(crm_config, work / "baseline_config", dirs_exist_ok=True)))
    seed_crm(config, home)
    cmd = [sys.executable, str(SCRIPTS / "bench_baseline.py"), "--inbox", str(inbox), "--config", str(config),
           "--home", str(home), "--out", str(out), "--mode", args.mode, "--model", MODEL,
           "--concurrency", str(args.concurrency)]
    if server is not None:
        cmd += ["--base-url", server.url]
        server.reset_records()
    log(f"baseline: {args.baseline_n} interactions, concurrency {args.concurrency}")
    child = run_child(cmd, _env(work, home, server), work / "baseline.stdout", work / "baseline.stderr")
    if child.returncode != 0 or not out.exists():
        _report_failure("baseline", child, work / "baseline.stderr")
        raise SystemExit(f"baseline failed (exit {child.returncode})")
    samples, duration, extra = read_samples(out)
    figures = system_figures(samples, duration, child.peak_rss_mb, _rate_limited(server))
    figures["wall_s"] = round(child.wall_s, 2)
    if server is not None:
        figures["server"] = server.stats()
        figures["cost"] = cost_figures(figures["server"], args.baseline_n, _prices(config), MODEL)
    if extra.get("failures"):
        figures["failures"] = extra["failures"][:5]
    log(f"baseline done in {child.wall_s:.1f} s")
    return figures


def bench(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    inbox = write_inbox(work / "inbox.jsonl", args.n, args.seed)
    with fake_api(args, REPO / "config") as server, queue_servers(args) as queue:
        config = prepare_config(work, args, server.url if server is not None else None)
        crm_crew = run_crm_crew(work, config, inbox, args, server, queue) if args.only != "baseline" else {}
        batched = _batched(work, config, inbox, args, server, queue)
        baseline = run_baseline(work, config, args, server) if args.only != "crm_crew" else {}
        metrics_on = _with_metrics(work, config, inbox, args, server, queue) if args.metrics else None
        overhead = tracing_overhead(work, args.tracing_rounds, lambda folder: run_crm_crew(
            folder, config, inbox, args, server, queue)) if args.tracing and args.only != "baseline" else None
    result: dict[str, Any] = {"mode": args.mode, "n": args.n, "baseline_n": args.baseline_n,
                              "concurrency": args.concurrency, "seed": args.seed}
    if args.mode == "claude-sim":
        result.update(latency_s=args.latency, rpm=args.rpm)
    result.update(crm_crew=crm_crew, **({"crm_crew_batch": batched} if batched else {}), baseline=baseline,
                  ratios={**ratios(crm_crew, baseline), **cost_ratios(crm_crew, batched, baseline)})
    if metrics_on is not None:
        off = _median([crm_crew.get("throughput_per_s") or 0.0, *metrics_on["off"]])
        on = _median(metrics_on["on"])
        result["metrics"] = {"throughput_off_per_s": off, "throughput_on_per_s": on, **metrics_on,
                             "throughput_cost": round(1 - on / off, 4) if off else None}
    if overhead is not None:
        result["tracing"] = overhead
    return result


def _prices(config: Path) -> PriceTable:
    from crm_crew.config.loader import load_config

    return PriceTable(load_config(config).settings.llm.prices)


def _batched(work: Path, config: Path, inbox: Path, args: argparse.Namespace, server: Any,
             queue: dict[str, str]) -> dict[str, Any]:
    """crm-crew again with `run --batch` (claude-sim, --batch), in a folder of its own; {} otherwise."""
    if not args.batch or server is None or args.only == "baseline":
        return {}
    folder = work / "batch"
    folder.mkdir(exist_ok=True)
    server.configure_batches(delay_s=1.0)
    return run_crm_crew(folder, config, inbox, args, server, queue, ("--batch",))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _with_metrics(work: Path, config: Path, inbox: Path, args: argparse.Namespace, server: Any,
                  queue: dict[str, str]) -> dict[str, list[float]]:
    """crm-crew on, off, on again (each in a folder of its own; on: pushing its metrics every second to the
    bench's own Pushgateway), so a machine getting busier or warmer favours neither: their throughputs and
    wall times (the wall time includes the final push, which comes after the summary's duration)."""
    from crm_crew.testing.prom_servers import PushgatewayServer

    plain = work / "config_metrics"
    shutil.copytree(config, plain)
    settings_path = plain / "crm-crew.yaml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings["metrics"] = {"push_interval_s": 1}
    settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    figures: dict[str, list[float]] = {"on": [], "off": [], "on_wall_s": [], "off_wall_s": []}
    with PushgatewayServer(work) as gateway:
        for round_no, metrics in enumerate((True, False, True)):
            folder = work / f"metrics_{round_no}"
            folder.mkdir(exist_ok=True)
            extra = ("--push-metrics", gateway.url) if metrics else ()
            ran = run_crm_crew(folder, plain, inbox, args, server, queue, extra)
            figures["on" if metrics else "off"].append(ran["throughput_per_s"])
            figures["on_wall_s" if metrics else "off_wall_s"].append(ran["wall_s"])
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="crm-crew-bench-"))
    try:
        result = bench(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
