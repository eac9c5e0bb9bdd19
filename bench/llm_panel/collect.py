#!/usr/bin/env python3
"""Collects the finished live panel runs (bench/llm_panel/run_panel.sh live WORKDIR).

Writes transcripts/panel.jsonl (every exchange of the finished runs, for replay without a model)
and results/runs.csv (one row per run: scores at each budget, LLM calls, model time, and tokens
estimated as characters / 4 because the command provider reports none), and prints the per-space
means as a Markdown table for bench/results/llm.md.

Usage: bench/llm_panel/collect.py WORKDIR [SURROGATE_CSV]
  SURROGATE_CSV: `tuna compare ... --strategies surrogate --csv` of the same specs, shown beside."""
import csv
import glob
import json
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
BUDGETS = ["20", "50", "71", "100"]


def estimated_tokens(relay):
    """Characters / 4 of every request's messages and every reply (a common rule of thumb)."""
    tokens_in = tokens_out = 0
    for req in glob.glob(os.path.join(relay, "req-*.json")):
        with open(req) as f:
            messages = json.load(f).get("messages", [])
        tokens_in += sum(len(str(m.get("content", ""))) for m in messages) // 4
        resp = req.replace("req-", "resp-").replace(".json", ".txt")
        if os.path.exists(resp):
            with open(resp) as f:
                tokens_out += len(f.read()) // 4
    return tokens_in, tokens_out


def finished_runs(work):
    for run in sorted(glob.glob(os.path.join(work, "runs", "*"))):
        done = os.path.join(run, "done")
        if not os.path.exists(done) or open(done).read().strip() != "exit 0":
            continue
        name = os.path.basename(run)
        space, strategy, seed = name.rsplit("_", 2)
        with open(os.path.join(run, "result.csv")) as f:
            row = next(csv.DictReader(f))
        yield run, space, strategy, int(seed[1:]), row


def main():
    work = sys.argv[1]
    rows, lines = [], []
    for run, space, strategy, seed, row in finished_runs(work):
        with open(os.path.join(run, "transcript.jsonl")) as f:
            lines += [l for l in f if l.strip()]
        tin, tout = estimated_tokens(os.path.join(run, "relay"))
        rows.append({"space": space, "strategy": strategy, "seed": seed,
                     **{"score_at_" + b: row["score_at_" + b] for b in BUDGETS},
                     "llm_calls": row["llm_calls"], "model_s": row["llm_model_s"],
                     "est_tokens_in": tin, "est_tokens_out": tout})
    os.makedirs(os.path.join(HERE, "transcripts"), exist_ok=True)
    with open(os.path.join(HERE, "transcripts", "panel.jsonl"), "w") as f:
        f.writelines(lines)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    surrogate = {}
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            for r in csv.DictReader(f):
                if r["strategy"] == "surrogate":
                    surrogate[r["space"]] = r
    by = defaultdict(list)
    for r in rows:
        by[(r["space"], r["strategy"])].append(r)
    print("| space | strategy | seeds | @20 | @50 | @71 | @100 | LLM calls / run | model s / run | est. tokens in+out / run |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (space, strategy), rs in sorted(by.items()):
        mean = lambda k: sum(float(r[k]) for r in rs) / len(rs)
        print("| %s | %s | %s | %.3f | %.3f | %.3f | %.3f | %.1f | %.0f | %.0f + %.0f |" % (
            space, strategy, ",".join(str(r["seed"]) for r in rs),
            *[mean("score_at_" + b) for b in BUDGETS], mean("llm_calls"), mean("model_s"),
            mean("est_tokens_in"), mean("est_tokens_out")))
    print("\n%d runs, %d exchanges" % (len(rows), len(lines)))


if __name__ == "__main__":
    main()
