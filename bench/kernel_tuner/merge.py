#!/usr/bin/env python3
"""Merges `tuna compare --csv` output with bench/kernel_tuner/compare.py output into Markdown
tables: one per budget (mean score per strategy over the spaces both covered, and per space),
and one of the evaluations needed to reach 0.95 and 0.98 of the optimum.

Only the standard library, so it runs with any python3.
"""
import argparse
import csv
import sys
from collections import defaultdict

BUDGETS = [20, 50, 100, 200]
TARGETS = ["0.95", "0.98"]


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def short(space):
    """A compact column name: the last two parts of the recorded file's name."""
    parts = space.replace("currently_unused__", "").replace("KernelTuner_data__", "").split("__")
    return "/".join(parts[-2:]) if len(parts) >= 2 else space


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("tuna_csv")
    p.add_argument("kt_csv")
    p.add_argument("--stats", help="kt_runs.csv from compare.py, for the unique-evaluation note")
    args = p.parse_args()

    rows = read_rows(args.tuna_csv) + read_rows(args.kt_csv)
    sides = {"tuna": {r["space"] for r in read_rows(args.tuna_csv)},
             "kt": {r["space"] for r in read_rows(args.kt_csv)}}
    spaces = sorted(sides["tuna"] & sides["kt"])
    if not spaces:
        sys.exit("the two CSVs share no space; run both on the same files")
    for name, covered in sides.items():
        dropped = sorted(covered - set(spaces))
        if dropped:
            print(f"<!-- only in the {name} CSV, left out: {', '.join(dropped)} -->")

    by = defaultdict(dict)  # strategy -> space -> row
    strategies = []
    for r in rows:
        if r["space"] not in spaces:
            continue
        if r["strategy"] not in by:
            strategies.append(r["strategy"])
        by[r["strategy"]][r["space"]] = r
    strategies = [s for s in strategies if len(by[s]) == len(spaces)]  # full coverage only

    def mean(strategy, column):
        return sum(float(by[strategy][s][column]) for s in spaces) / len(spaces)

    def runs(strategy):
        counts = {by[strategy][s]["runs"] for s in spaces}
        return "/".join(sorted(counts))

    print(f"Spaces covered by both ({len(spaces)}): {', '.join(short(s) for s in spaces)}\n")
    print("### Mean score over the spaces, all budgets\n")
    header = "| strategy | runs | " + " | ".join(f"@{b}" for b in BUDGETS) + " |"
    print(header)
    print("|" + "---|" * (2 + len(BUDGETS)))
    ranked = sorted(strategies, key=lambda s: -mean(s, "score_at_200"))
    for s in ranked:
        print(f"| {s} | {runs(s)} | " +
              " | ".join(f"{mean(s, f'score_at_{b}'):.3f}" for b in BUDGETS) + " |")
    print()
    winners = []
    for b in BUDGETS:
        best = max(strategies, key=lambda s: mean(s, f"score_at_{b}"))
        best_tuna = max((s for s in strategies if not s.startswith("kt_")),
                        key=lambda s: mean(s, f"score_at_{b}"))
        best_kt = max((s for s in strategies if s.startswith("kt_")),
                      key=lambda s: mean(s, f"score_at_{b}"), default=None)
        line = (f"- @{b}: best overall {best} ({mean(best, f'score_at_{b}'):.3f}); best tuna "
                f"{best_tuna} ({mean(best_tuna, f'score_at_{b}'):.3f})")
        if best_kt:
            line += f"; best Kernel Tuner {best_kt} ({mean(best_kt, f'score_at_{b}'):.3f})"
        winners.append(line)
    print("\n".join(winners) + "\n")

    for b in BUDGETS:
        col = f"score_at_{b}"
        print(f"### Score at {b} evaluations\n")
        print("| strategy | mean | " + " | ".join(short(s) for s in spaces) + " |")
        print("|" + "---|" * (2 + len(spaces)))
        for s in sorted(strategies, key=lambda s: -mean(s, col)):
            print(f"| {s} | {mean(s, col):.3f} | " +
                  " | ".join(f"{float(by[s][sp][col]):.3f}" for sp in spaces) + " |")
        print()

    print("### Evaluations to reach a fraction of the optimum (mean over spaces)\n")
    print("Runs that never reach it count as 200, so the mean is a lower bound; the share of "
          "runs that reached it is in brackets.\n")
    print("| strategy | " + " | ".join(f"evals to {t}" for t in TARGETS) + " |")
    print("|" + "---|" * (1 + len(TARGETS)))
    for s in sorted(strategies, key=lambda s: mean(s, "evals_to_0.98")):
        cells = []
        for t in TARGETS:
            reached = mean(s, f"reached_{t}")
            prefix = ">" if reached < 1 else ""
            cells.append(f"{prefix}{mean(s, f'evals_to_{t}'):.1f} ({100 * reached:.0f} %)")
        print(f"| {s} | " + " | ".join(cells) + " |")
    print()

    if args.stats:
        stats = read_rows(args.stats)
        agg = defaultdict(list)
        for r in stats:
            if r["space"] in spaces:
                agg[r["strategy"]].append(r)
        print("### Kernel Tuner runs: unique evaluations actually made (of 200 allowed)\n")
        print("| strategy | mean unique evals | fewest | mean raw evals (repeats included) "
              "| mean s per run | runs with an error |")
        print("|---|---|---|---|---|---|")
        for s, rs in sorted(agg.items()):
            n = sum(int(r["runs"]) for r in rs)
            uniq = sum(float(r["mean_unique_evals"]) * int(r["runs"]) for r in rs) / n
            raw = sum(float(r["mean_raw_evals"]) * int(r["runs"]) for r in rs) / n
            secs = sum(float(r["mean_seconds"]) * int(r["runs"]) for r in rs) / n
            errors = sum(int(r["runs_with_error"]) for r in rs)
            fewest = min(int(r["min_unique_evals"]) for r in rs)
            print(f"| {s} | {uniq:.1f} | {fewest} | {raw:.1f} | {secs:.2f} | {errors} |")
        print()


if __name__ == "__main__":
    main()
