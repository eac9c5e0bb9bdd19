#!/usr/bin/env python3
"""Paired comparisons of stored panel runs, per space (bench/results/llm.md).

  paired.py runs VARIANT[,VARIANT...] BASE[,BASE...] [STRATEGY]
      Each run of VARIANT against the run of BASE with the same space and seed (a continuation
      against the run it continued, or two settings on the same seeds): the means of both at
      20 / 50 / 71 / 100 evaluations and the paired difference at 50 with its standard error;
      then, over all runs pooled, the paired difference at each budget and the runs that went
      up and down at 50.
  paired.py surrogate VARIANT[,VARIANT...] [STRATEGY] [BUDGET] [TUNA]
      The runs of the variants pooled per space against the surrogate alone on the same seeds
      (`tuna compare SPEC --strategies surrogate --runs 1 --seed S`, one call per seed): the
      means at BUDGET (50 by default; 71 for `llm`) and at 100, and the paired difference.

STRATEGY is `hybrid` unless given. A run stored in two variants (the same space and seed) counts
once, from the first variant that has it."""
import csv
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

from panel import BUDGETS, DEFAULT_TUNA, HERE, mean_and_error, stored_runs


def runs_of(variants, strategy):
    """{(space, seed): [score at each of BUDGETS]} of the stored runs of `variants`."""
    runs = {}
    for variant in variants:
        for row in stored_runs(variant, strategy):
            runs.setdefault((row["space"], int(row["seed"])),
                            [float(row["score_at_" + b]) for b in BUDGETS])
    return runs


def surrogate_scores(tuna, space, seed):
    """The surrogate alone on SPACE's panel spec with SEED: its score at each of BUDGETS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "surrogate.csv")
        subprocess.run([tuna, "compare", os.path.join(HERE, "specs", space + ".toml"),
                        "--strategies", "surrogate", "--runs", "1", "--seed", str(seed),
                        "--budgets", ",".join(BUDGETS), "--csv", out, "-q"],
                       check=True, stdout=subprocess.DEVNULL, cwd=tmp)
        with open(out) as f:
            row = next(r for r in csv.DictReader(f) if r["strategy"] == "surrogate")
        return [float(row["score_at_" + b]) for b in BUDGETS]


def table(pairs, budget, header):
    """pairs: {space: [(scores, base scores)]}; prints one row per space and the mean of the
    spaces' means."""
    at = BUDGETS.index(budget)
    print("| space | runs | %s | paired @%s |" % (header, budget))
    print("|---|---|---|---|---|")
    means = []
    for space in sorted(pairs):
        got = [a for a, _ in pairs[space]]
        base = [b for _, b in pairs[space]]
        mean = lambda runs, i: sum(r[i] for r in runs) / len(runs)
        diff, err = mean_and_error([a[at] - b[at] for a, b in pairs[space]])
        print("| %s | %d | %s | %s | %+.3f ±%.3f |" % (
            space, len(got), " / ".join("%.3f" % mean(got, i) for i in range(len(BUDGETS))),
            " / ".join("%.3f" % mean(base, i) for i in range(len(BUDGETS))), diff, err))
        means.append((mean(got, at), mean(base, at)))
    print("| mean of the spaces @%s | | %.3f | %.3f | %+.3f |" % (
        budget, sum(a for a, _ in means) / len(means), sum(b for _, b in means) / len(means),
        sum(a - b for a, b in means) / len(means)))
    pooled(pairs, budget)


def pooled(pairs, budget):
    """Every run of every space as one sample: the paired difference at each budget with its
    standard error, and how many runs went up and down at `budget`."""
    runs = [pair for space in pairs.values() for pair in space]
    diffs = [[a[i] - b[i] for a, b in runs] for i in range(len(BUDGETS))]
    at = diffs[BUDGETS.index(budget)]
    print("\nall %d runs, paired: %s; at %s %d up, %d down" % (
        len(runs), " / ".join("%+.4f ±%.4f" % mean_and_error(d) for d in diffs), budget,
        sum(d > 1e-9 for d in at), sum(d < -1e-9 for d in at)))


def compare_runs(variants, bases, strategy):
    mine, theirs = runs_of(variants, strategy), runs_of(bases, strategy)
    pairs = defaultdict(list)
    for key, scores in sorted(mine.items()):
        if key not in theirs:
            sys.exit("paired.py: %s seed %d has no run in %s" % (key[0], key[1], ",".join(bases)))
        pairs[key[0]].append((scores, theirs[key]))
    table(pairs, "50", "@%s, the variant | the base" % " / @".join(BUDGETS))


def against_surrogate(variants, strategy, budget, tuna):
    pairs = defaultdict(list)
    for (space, seed), scores in sorted(runs_of(variants, strategy).items()):
        pairs[space].append((scores, surrogate_scores(tuna, space, seed)))
    table(pairs, budget, "@%s, %s | the surrogate, same seeds" % (" / @".join(BUDGETS), strategy))


def main():
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == "runs":
        compare_runs(args[1].split(","), args[2].split(","), args[3] if len(args) > 3 else "hybrid")
    elif len(args) >= 2 and args[0] == "surrogate":
        strategy = args[2] if len(args) > 2 else "hybrid"
        budget = args[3] if len(args) > 3 else ("71" if strategy == "llm" else "50")
        tuna = os.path.abspath(args[4]) if len(args) > 4 else DEFAULT_TUNA
        against_surrogate(args[1].split(","), strategy, budget, tuna)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
