#!/usr/bin/env python3
"""Runs Kernel Tuner's strategies in simulation mode on the recorded Kernel Tuner caches and
scores them with the counting rule of `tuna compare`, writing a CSV of the same shape.

Counting rule (the one src/search/compare.cpp applies to tuna's strategies): walk the sequence
of configurations the strategy had evaluated, count each unique configuration once whether it
failed or not, never count a configuration that violates a restriction (Kernel Tuner never sends
those to its runner), and track the best recorded time so far. The score after k evaluations is
t_opt / best-so-far (0 before the first successful one); a run that stopped before k evaluations
keeps its last best.

Objective: tuna replays the median of each configuration's recorded repetitions, so the copy of
the cache given to Kernel Tuner has its "time" set to that median too; both sides then optimise
and are scored on the same numbers.

Valid set: tuna's `compare` (without a T1 file) treats a configuration absent from the cache as
restricted, so Kernel Tuner gets a Python function restriction that accepts exactly the cached
configurations; both sides see the same valid set.
"""
import argparse
import csv
import gzip
import json
import multiprocessing as mp
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

DEFAULT_STRATEGIES = [
    "random_sample", "genetic_algorithm", "dual_annealing", "simulated_annealing", "diff_evo",
    "bayes_opt", "pso", "greedy_ils",
]
BUDGETS = [20, 50, 100, 200]
TARGETS = [0.95, 0.98]


class RunTimeout(Exception):
    pass


def space_name(path):
    name = Path(path).name
    for ext in (".gz", ".json"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


def median_time(entry):
    """The recorded objective of one cache entry, or None when it failed."""
    t = entry.get("time")
    if not isinstance(t, (int, float)):
        return None
    times = [x for x in entry.get("times", []) if isinstance(x, (int, float))]
    return statistics.median(times) if times else float(t)


def prepare_space(path, tmpdir):
    """Reads one Kernel Tuner cache and writes the copy Kernel Tuner will replay."""
    with gzip.open(path, "rt") as f:
        data = json.load(f)
    if not isinstance(data, dict) or "cache" not in data or "tune_params" not in data:
        return None  # not a Kernel Tuner cache (T4 or KTT file)
    times = {}
    for key, entry in data["cache"].items():
        m = median_time(entry)
        times[key] = m
        if m is not None:
            entry["time"] = m
    ok = [t for t in times.values() if t is not None]
    name = space_name(path)
    out = Path(tmpdir) / f"{name}.json"
    # "cache" written last so the file ends in "}}}", which Kernel Tuner reads as a closed cache.
    ordered = {k: v for k, v in data.items() if k != "cache"}
    ordered["cache"] = data["cache"]
    with open(out, "w") as f:
        json.dump(ordered, f)
    return {
        "name": name,
        "cache_file": str(out),
        "kernel_name": data["kernel_name"],
        "problem_size": data.get("problem_size", 1),
        "keys": data["tune_params_keys"],
        "tune_params": {k: data["tune_params"][k] for k in data["tune_params_keys"]},
        "times": times,
        "optimum": min(ok),
        "n_ok": len(ok),
    }


# ---- worker side -------------------------------------------------------------------------------

_SPACES = {}


def _init_worker(spaces):
    # Kernel Tuner and its numeric back ends warn on every run (overflow in annealing, GP
    # standardisation); the warnings say nothing about the comparison and drown the progress.
    warnings.filterwarnings("ignore")
    np.seterr(all="ignore")
    _SPACES.update({s["name"]: s for s in spaces})
    # Capture the order in which configurations reach the simulation runner, independent of what
    # tune_kernel returns (or whether it returns at all, when a run is interrupted).
    from kernel_tuner.runners import simulation

    original = simulation.SimulationRunner.run

    def recording_run(self, parameter_space, tuning_options):
        configs = list(parameter_space)
        results = original(self, configs, tuning_options)
        for config, result in zip(configs, results):
            if result is not None:
                _RECORD.append(",".join(str(v) for v in config))
        return results

    simulation.SimulationRunner.run = recording_run


_RECORD = []


def _alarm(signum, frame):
    raise RunTimeout()


def run_one(job):
    """One seeded run of one strategy on one space; returns the unique evaluation sequence."""
    import kernel_tuner

    name, strategy, seed, max_fevals, timeout_s = job
    space = _SPACES[name]
    valid = set(space["times"])
    keys = space["keys"]

    def in_cache(p):
        # Kernel Tuner may pass a dict of all parameters or of the parameters in key order.
        return ",".join(str(p[k]) for k in keys) in valid

    random.seed(seed)
    np.random.seed(seed)
    _RECORD.clear()
    error = ""
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout_s)
    devnull = open(os.devnull, "w")
    saved = sys.stdout
    try:
        sys.stdout = devnull  # Kernel Tuner prints progress even when quiet in places
        kernel_tuner.tune_kernel(
            space["kernel_name"], "/* replayed from the cache; never compiled */",
            space["problem_size"], [], space["tune_params"],
            restrictions=[in_cache], cache=space["cache_file"], simulation_mode=True,
            strategy=strategy, strategy_options={"max_fevals": max_fevals}, quiet=True,
            verbose=False)
    except RunTimeout:
        error = f"timeout after {timeout_s} s"
    except Exception as e:  # a strategy's quirk must not lose the other runs
        error = f"{type(e).__name__}: {e}"[:200]
    finally:
        signal.alarm(0)
        sys.stdout = saved
        devnull.close()
    seconds = time.perf_counter() - start
    raw = len(_RECORD)
    seen, sequence = set(), []
    for key in _RECORD:
        if key in valid and key not in seen:
            seen.add(key)
            sequence.append(key)
    return {
        "space": name, "strategy": strategy, "seed": seed, "raw_evals": raw,
        "sequence": [[k, space["times"][k]] for k in sequence[:max_fevals]],
        "seconds": round(seconds, 3), "error": error,
    }


# ---- scoring -----------------------------------------------------------------------------------

def best_curve(sequence, cap):
    best, curve = float("inf"), []
    for _, t in sequence[:cap]:
        if t is not None and t < best:
            best = t
        curve.append(best)
    return curve


def score_at(curve, k, optimum):
    if not curve:
        return 0.0
    best = curve[min(k, len(curve)) - 1]
    return optimum / best if best != float("inf") else 0.0


def summarise(runs, optimum, cap):
    curves = [best_curve(r["sequence"], cap) for r in runs]
    n = len(curves)
    row = {"runs": n}
    for b in BUDGETS:
        row[f"score_at_{b}"] = sum(score_at(c, b, optimum) for c in curves) / n
    for target in TARGETS:
        evals = reached = 0
        for c in curves:
            k = next((k for k in range(1, cap + 1)
                      if score_at(c, k, optimum) >= target * (1 - 1e-12)), None)
            evals += k if k is not None else cap
            reached += k is not None
        row[f"evals_to_{target}"] = evals / n
        row[f"reached_{target}"] = reached / n
    return row


def write_csv(path, spaces, runs, cap):
    columns = ["space", "strategy", "runs"] + [f"score_at_{b}" for b in BUDGETS]
    for t in TARGETS:
        columns += [f"evals_to_{t}", f"reached_{t}"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for space in spaces:
            strategies = sorted({r["strategy"] for r in runs if r["space"] == space["name"]},
                                key=lambda s: DEFAULT_STRATEGIES.index(s)
                                if s in DEFAULT_STRATEGIES else 99)
            for strategy in strategies:
                mine = [r for r in runs if r["space"] == space["name"] and r["strategy"] == strategy]
                row = summarise(mine, space["optimum"], cap)
                fmt = {c: (f"{row[c]:.6f}" if c.startswith("score") else
                           f"{row[c]:.3f}" if c.startswith("evals") else
                           f"{row[c]:.4f}" if c.startswith("reached") else row[c])
                       for c in columns[2:]}
                w.writerow([space["name"], f"kt_{strategy}"] + [fmt[c] for c in columns[2:]])


def write_run_stats(path, runs):
    """Per space and strategy: how many unique evaluations the runs reached, time, errors."""
    groups = {}
    for r in runs:
        groups.setdefault((r["space"], r["strategy"]), []).append(r)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["space", "strategy", "runs", "mean_unique_evals", "min_unique_evals",
                    "mean_raw_evals", "mean_seconds", "runs_with_error", "first_error"])
        for (space, strategy), rs in sorted(groups.items()):
            uniq = [len(r["sequence"]) for r in rs]
            errors = [r["error"] for r in rs if r["error"]]
            w.writerow([space, f"kt_{strategy}", len(rs), f"{sum(uniq) / len(rs):.1f}",
                        min(uniq), f"{sum(r['raw_evals'] for r in rs) / len(rs):.1f}",
                        f"{sum(r['seconds'] for r in rs) / len(rs):.2f}", len(errors),
                        errors[0] if errors else ""])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="+", help="recorded spaces (*.json.gz); non-KT files are skipped")
    p.add_argument("--strategies", default=",".join(DEFAULT_STRATEGIES))
    p.add_argument("--runs", type=int, default=10, help="seeded runs per strategy and space")
    p.add_argument("--slow-runs", type=int, default=3, help="runs for the --slow strategies")
    p.add_argument("--slow", default="bayes_opt", help="strategies given --slow-runs runs")
    p.add_argument("--seed", type=int, default=1, help="first seed; runs use seed, seed+1, ...")
    p.add_argument("--max-fevals", type=int, default=200)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--run-timeout", type=int, default=300, help="wall seconds per run")
    p.add_argument("--csv", default="kt.csv")
    p.add_argument("--stats", default="kt_runs.csv")
    p.add_argument("--runs-jsonl", default="kt_runs.jsonl",
                   help="every run's unique evaluation sequence (config key, median ms or null)")
    args = p.parse_args()

    strategies = [s for s in args.strategies.split(",") if s]
    slow = set(args.slow.split(","))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kt_caches_") as tmpdir:
        spaces = [s for s in (prepare_space(f, tmpdir) for f in args.files) if s is not None]
        if not spaces:
            sys.exit("no Kernel Tuner cache among the given files")
        jobs = []
        for strategy in strategies:  # slow strategies last, so a cut-short run still has the rest
            n = args.slow_runs if strategy in slow else args.runs
            for space in spaces:
                for r in range(n):
                    jobs.append((space["name"], strategy, args.seed + r, args.max_fevals,
                                 args.run_timeout))
        jobs.sort(key=lambda j: j[1] in slow)
        print(f"{len(spaces)} spaces, {len(strategies)} strategies, {len(jobs)} runs "
              f"on {args.jobs} processes", file=sys.stderr)
        runs = []
        # fork keeps the prepared spaces; maxtasksperchild bounds memory growth from KT caches
        ctx = mp.get_context("fork")
        with ctx.Pool(args.jobs, initializer=_init_worker, initargs=(spaces,),
                      maxtasksperchild=50) as pool, open(args.runs_jsonl, "w") as log:
            for i, run in enumerate(pool.imap_unordered(run_one, jobs, chunksize=1), 1):
                runs.append(run)
                log.write(json.dumps(run) + "\n")
                if i % 20 == 0 or i == len(jobs) or run["error"]:
                    print(f"[{time.perf_counter() - started:6.0f} s] {i}/{len(jobs)} "
                          f"{run['space']} {run['strategy']} seed {run['seed']}: "
                          f"{len(run['sequence'])} unique evals in {run['seconds']} s"
                          + (f" ({run['error']})" if run["error"] else ""), file=sys.stderr)
    write_csv(args.csv, spaces, runs, args.max_fevals)
    write_run_stats(args.stats, runs)
    print(f"wrote {args.csv}, {args.stats} and {args.runs_jsonl} "
          f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
