#!/usr/bin/env python3
"""Summarises bench/transfer/run_transfer.sh's CSVs: per ordered pair (source -> target), the mean
score at 20 / 50 / 100 evaluations with the source as prior, with it shuffled, and without a prior,
and the targets of issue 15 (>= 0.97 at 20 and >= 0.99 at 50 with a prior; never worse than no
prior by more than 0.01 at 50; a shuffled prior within 0.02 of no prior at 50)."""
import csv
import pathlib
import sys


def scores(path):
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["space"] != "mean" and row["runs"] != "exact":
                return {b: float(row[f"score_at_{b}"]) for b in (20, 50, 100)}
    raise SystemExit(f"{path}: no strategy row")


def main(out):
    out = pathlib.Path(out)
    print("| kernel | source -> target | prior @20 | @50 | @100 | shuffled @50 | none @20 | @50 | @100 |"
          " targets (0.97@20, 0.99@50, >= none-0.01, shuffled >= none-0.02) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for none in sorted(out.glob("*_none.csv")):
        kernel, target, _ = none.stem.split("_")
        base = scores(none)
        for prior in sorted(out.glob(f"{kernel}_{target}_prior_*.csv")):
            source = prior.stem.split("_")[-1]
            p = scores(prior)
            s = scores(out / f"{kernel}_{target}_shuffled_{source}.csv")
            met = [p[20] >= 0.97, p[50] >= 0.99, p[50] >= base[50] - 0.01, s[50] >= base[50] - 0.02]
            print(f"| {kernel} | {source} -> {target} | {p[20]:.3f} | {p[50]:.3f} | {p[100]:.3f} |"
                  f" {s[50]:.3f} | {base[20]:.3f} | {base[50]:.3f} | {base[100]:.3f} |"
                  f" {' '.join('yes' if m else 'no' for m in met)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tuna-transfer")
