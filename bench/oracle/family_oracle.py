#!/usr/bin/env python3
"""What the no-prior target of issue 15 demands: the surrogate told the optimum's family.

A milo convolution recording has three two-valued parameters (read_only, use_padding,
use_shmem) that split its space into six families of 400-960 configs. This script writes, for
each convolution recording, a copy that keeps only the family holding the optimum (the three
switches fixed at the optimum's values), and runs `tuna compare` on those copies: the scores a
search reaches when an oracle has told it which family to search, so it spends nothing on
finding the family. The gap between these scores and the surrogate's on the whole space is what
finding the family costs.

    python3 bench/oracle/family_oracle.py [TUNA] [RUNS]

TUNA defaults to build/tuna, RUNS to 100. The recordings are read from ../shared/datasets.
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "datasets"))
SWITCHES = ["read_only", "use_padding", "use_shmem"]
DEVICES = ["A100", "A4000", "A6000"]


def ran(record):
    t = record.get("time")
    return isinstance(t, (int, float)) and 0 < t < 1e20


def family_copy(device, out_dir):
    """Writes the optimum's family of one recording; returns its path and the family."""
    path = os.path.join(DATASETS, "benchmark_hub__convolution_milo__%s.json.gz" % device)
    with gzip.open(path) as f:
        data = json.load(f)
    best = min((r for r in data["cache"].values() if ran(r)), key=lambda r: r["time"])
    family = tuple(best[s] for s in SWITCHES)
    data["cache"] = {k: r for k, r in data["cache"].items()
                     if tuple(r[s] for s in SWITCHES) == family}
    for name, value in zip(SWITCHES, family):
        data["tune_params"][name] = [value]
    out = os.path.join(out_dir, "conv_%s_optimum_family.json" % device)
    with open(out, "w") as f:
        json.dump(data, f)
    return out, family, len(data["cache"])


def main():
    tuna = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build", "tuna")
    runs = sys.argv[2] if len(sys.argv) > 2 else "100"
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for device in DEVICES:
            path, family, size = family_copy(device, tmp)
            print("%s: the optimum's family %s has %d configs" % (
                device, ", ".join("%s=%d" % kv for kv in zip(SWITCHES, family)), size))
            files.append(path)
        subprocess.run([tuna, "compare", *files, "--strategies", "surrogate,random", "--runs", runs,
                        "--budgets", "20,50,100", "--threads", "2"], check=True)


if __name__ == "__main__":
    main()
