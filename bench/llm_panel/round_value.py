#!/usr/bin/env python3
"""What each of the hybrid's LLM calls is worth, measured exactly on stored panel runs.

  round_value.py VARIANT[,VARIANT...] [TUNA]

Replays every hybrid run of results/VARIANT.csv from its transcript (`--llm-replay`) as stored
(`--llm-rounds` as the row has it, 4 in every panel so far), then again with `--llm-rounds` 3, 2
and 1: the hybrid stops asking the model after that many calls and the surrogate spends the rest
of the budget alone. Up to the cut each replay is the stored run, whose replies the model gave
(no request depends on how many rounds are left, and under a budget in evaluations the hybrid
does not fill the model's waits), so it is exactly the run a live model would have given: a paired
comparison with none of the spread between live panels. Both halves of that are checked for
every run: the stored replay must score what the stored run scored, and each cut replay must
send, call for call, the requests the stored replay sent (as `--db` stores them).

Prints, per space and over all spaces, the mean score at 50 / 71 / 100 evaluations for each
number of calls, the paired difference from the stored runs with its standard error, and the
mean calls per run (bench/results/llm.md, "What each LLM call is worth")."""
import concurrent.futures
import csv
import os
import re
import subprocess
import sys
import tempfile

from panel import (DEFAULT_TUNA, mean_and_error, replay_command, same_scores, stored_requests,
                   stored_runs)

REPORTED = ["50", "71", "100"]
CALLS = [3, 2, 1]


def with_calls(args, calls):
    """The row's compare flags with `--llm-rounds` set to `calls` (None: as stored)."""
    if calls is None:
        return args
    if re.search(r"--llm-rounds \d+", args):
        return re.sub(r"--llm-rounds \d+", "--llm-rounds %d" % calls, args)
    return args + " --llm-rounds %d" % calls


def replay(tuna, variant, row, calls):
    """The replayed run's row of `tuna compare --csv` (scores, LLM calls) and its requests in
    call order (as `--db` stores them)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "replay.csv")
        store = os.path.join(tmp, "replay.db")
        cmd = replay_command(tuna, variant, row, with_calls(row["args"], calls)) + [
            "--csv", out, "--db", store, "-q"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        if done.returncode:
            sys.exit("round_value.py: the replay of %s %s seed %s failed:\n%s" % (
                variant, row["space"], row["seed"], done.stderr))
        with open(out) as f:
            result = next(r for r in csv.DictReader(f) if r["strategy"] == "hybrid")
        return result, stored_requests(store)


def replay_cuts(tuna, variant, row):
    """{--llm-rounds (None: as stored): the replay's --csv row} for one stored run, after checking
    that the measurement is exact: the uncut replay scores what the live run scored, and each cut
    replay asks, call for call, what the uncut one asked."""
    result, requests = replay(tuna, variant, row, None)
    if not same_scores(result, row):
        sys.exit("round_value.py: %s %s seed %s does not replay to its stored scores" % (
            variant, row["space"], row["seed"]))
    results = {None: result}
    for calls in CALLS:
        results[calls], cut = replay(tuna, variant, row, calls)
        if cut != requests[:len(cut)]:
            sys.exit("round_value.py: %s %s seed %s with --llm-rounds %d asked other questions "
                     "than the stored run before its cut, so it is not exact" % (
                         variant, row["space"], row["seed"], calls))
    return results


def score(r, budget):
    return float(r["score_at_" + budget])


def report(runs, settings):
    """runs: [(space, {setting: replayed row})]; prints the tables."""
    spaces = sorted({space for space, _ in runs})
    print("| space | runs | " + " | ".join("%s @%s" % (label(s), "/".join(REPORTED))
                                          for s in settings) + " |")
    print("|---|---|" + "---|" * len(settings))
    for space in spaces + [None]:
        mine = [by for sp, by in runs if space is None or sp == space]
        cells = []
        for s in settings:
            cells.append(" / ".join("%.3f" % (sum(score(by[s], b) for by in mine) / len(mine))
                                    for b in REPORTED))
        print("| %s | %d | %s |" % (space or "**all**", len(mine), " | ".join(cells)))
    print("\nPaired difference from the stored runs (mean over all runs, ± standard error):")
    for s in settings[1:]:
        parts = []
        for b in REPORTED:
            m, e = mean_and_error([score(by[s], b) - score(by[None], b) for _, by in runs])
            parts.append("@%s %+.4f ± %.4f" % (b, m, e))
        print("  %s: %s; %.2f calls per run" % (label(s), ", ".join(parts), calls_per_run(runs, s)))
    print("  stored: %.2f calls per run" % calls_per_run(runs, None))


def calls_per_run(runs, setting):
    return sum(float(by[setting]["llm_calls"]) for _, by in runs) / len(runs)


def label(setting):
    return "stored" if setting is None else "%d call%s" % (setting, "s" if setting > 1 else "")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    variants = sys.argv[1].split(",")
    tuna = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_TUNA
    rows = [(variant, row) for variant in variants for row in stored_runs(variant, "hybrid")]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        done = list(pool.map(lambda run: replay_cuts(tuna, *run), rows))
    report([(row["space"], results) for (_, row), results in zip(rows, done)], [None] + CALLS)

if __name__ == "__main__":
    main()
