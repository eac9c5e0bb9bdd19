#!/usr/bin/env python3
"""The LLM panel's bookkeeping: collect finished live runs, and replay them without a model.

  panel.py collect WORKDIR VARIANT [HYBRID_ARGS [LLM_ARGS]]
      Reads the finished runs of `run_panel.sh live WORKDIR` and writes transcripts/VARIANT.jsonl
      (every exchange, for replay) and results/VARIANT.csv (one row per run: the compare flags
      its strategy ran with, HYBRID_ARGS or LLM_ARGS, spelled out in full so that a later change
      of a default does not change the replay; `{datasets}` in them stands for
      ../shared/datasets, e.g. for a --prior recording, scores at each budget, LLM calls, model time, and tokens
      estimated as characters / 4 because the command provider reports none); prints the
      per-space means as a Markdown table for bench/results/llm.md. An existing VARIANT is
      not replaced unless PANEL_OVERWRITE=1.
  panel.py replay [TUNA]
      Replays every run of every results/*.csv from its transcript and checks the scores.
  panel.py drift [TUNA]
      For each variant, how many requests of its first run differ, replayed with TUNA, from the
      ones its live model answered (prompts change between sessions; the replies replay
      verbatim, so the scores still match, but such a replay no longer shows what was asked).
  panel.py rescore VARIANT [TUNA] [--allow-prompt-drift]
      After a change to tuna that alters what a stored run scores but not what its model was
      asked (a fix in the surrogate's part of the hybrid, say): replays every run of VARIANT and
      rewrites its scores and LLM call counts in results/VARIANT.csv, keeping the live run's in
      live_score_at_* and live_llm_calls columns. When every request of every run is the one the live model
      answered (its prompt_hash), the replay is what the live run would have done; otherwise it
      refuses, changing nothing, unless --allow-prompt-drift (the replay then answers changed
      questions with the recorded replies, which must be said where the figures are reported).

A variant is one version of the searches' settings (for example the hybrid's number of random
seeds); its runs replay only with the same settings, hence the ARGS kept per row."""
import contextlib
import csv
import glob
import json
import math
import os
import re
import shlex
import sqlite3
import subprocess
import tempfile
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
BUDGETS = ["20", "50", "71", "100"]
# A row's args may name the shared recordings (a --prior) as {datasets}: the folder beside the
# checkout, wherever that is.
DATASETS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "datasets"))
# The binary the scripts replay with unless given one.
DEFAULT_TUNA = os.path.abspath(os.path.join(HERE, "..", "..", "build", "tuna"))


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


def collect(work, variant, hybrid_args, llm_args):
    existing = [os.path.join(HERE, d, variant + ext)
                for d, ext in (("results", ".csv"), ("transcripts", ".jsonl"))]
    if any(os.path.exists(f) for f in existing) and os.environ.get("PANEL_OVERWRITE") != "1":
        # A variant's files are measurements that cannot be made again as they were.
        sys.exit("panel.py collect: variant '%s' exists already (%s); choose another name, or "
                 "set PANEL_OVERWRITE=1 to replace it" % (variant, ", ".join(
                     os.path.relpath(f, HERE) for f in existing if os.path.exists(f))))
    rows, lines = [], []
    for run, space, strategy, seed, row in finished_runs(work):
        with open(os.path.join(run, "transcript.jsonl")) as f:
            lines += [l for l in f if l.strip()]
        tin, tout = estimated_tokens(os.path.join(run, "relay"))
        args = hybrid_args if strategy == "hybrid" else llm_args
        rows.append({"space": space, "strategy": strategy, "seed": seed, "args": args,
                     **{"score_at_" + b: row["score_at_" + b] for b in BUDGETS},
                     "llm_calls": row["llm_calls"], "model_s": row["llm_model_s"],
                     "est_tokens_in": tin, "est_tokens_out": tout})
    os.makedirs(os.path.join(HERE, "transcripts"), exist_ok=True)
    with open(os.path.join(HERE, "transcripts", variant + ".jsonl"), "w") as f:
        f.writelines(lines)
    write_results(variant, rows, list(rows[0].keys()))
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


def write_results(variant, rows, fieldnames):
    """Writes results/VARIANT.csv: one row per stored run."""
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", variant + ".csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fieldnames)
        w.writeheader()
        w.writerows(rows)


def stored_runs(variant, strategy=None):
    """The rows of results/VARIANT.csv, one per stored run (of `strategy` only, if given)."""
    with open(os.path.join(HERE, "results", variant + ".csv")) as f:
        return [row for row in csv.DictReader(f) if strategy in (None, row["strategy"])]


def replay_command(tuna, variant, row, args=None):
    """`tuna compare` answering the stored run `row` of VARIANT from its transcript, with the
    compare flags it ran with (or `args` in their place); callers add where the output goes."""
    return [tuna, "compare", os.path.join(HERE, "specs", row["space"] + ".toml"),
            "--strategies", row["strategy"], "--runs", "1", "--seed", row["seed"],
            "--budgets", ",".join(BUDGETS), "--threads", "1", "--llm-replay",
            os.path.join(HERE, "transcripts", variant + ".jsonl")] + shlex.split(
                (row["args"] if args is None else args).replace("{datasets}", DATASETS))


def same_scores(got, row):
    """Whether a replay's `--csv` row scores what the stored run scored at every budget."""
    return all(abs(float(got["score_at_" + b]) - float(row["score_at_" + b])) < 1e-6
               for b in BUDGETS)


def mean_and_error(values):
    """The mean of `values` and its standard error (nan for a single value)."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, float("nan")
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1) / n)


def stored_requests(store):
    """The requests a replay kept in its `--db` store, in call order (JSON text)."""
    with contextlib.closing(sqlite3.connect(store)) as db:
        return [p for (p,) in db.execute("SELECT prompt_json FROM llm_exchanges ORDER BY id")]


def replay(tuna):
    failures = 0
    for results in sorted(glob.glob(os.path.join(HERE, "results", "*.csv"))):
        variant = os.path.splitext(os.path.basename(results))[0]
        for row in stored_runs(variant):
            same = same_scores(replay_scores(tuna, variant, row)[0], row)
            failures += not same
            print("%-8s %-12s %-7s seed %s: %s" % (variant, row["space"], row["strategy"],
                                                   row["seed"], "same" if same else "DIFFERENT"))
    sys.exit(1 if failures else 0)


def replay_scores(tuna, variant, row):
    """Replays stored run `row`: its `--csv` row, and how many of its requests differed from the
    recorded prompts (tuna's note "N replayed LLM request(s) differed ...", cmd_compare.cpp)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "replay.csv")
        run = subprocess.run(replay_command(tuna, variant, row) + ["--csv", out], check=True,
                             capture_output=True, text=True, cwd=tmp)
        with open(out) as f:
            got = next(r for r in csv.DictReader(f) if r["strategy"] == row["strategy"])
    drift = re.search(r"note: (\d+) replayed LLM requests? differed", run.stdout + run.stderr)
    return got, int(drift.group(1)) if drift else 0


def rescore(variant, tuna, allow_drift):
    rows = stored_runs(variant)
    rescored, drifted = [], 0
    for row in rows:
        got, differing = replay_scores(tuna, variant, row)
        drifted += differing > 0
        new = dict(row, **{"score_at_" + b: "%.6f" % float(got["score_at_" + b]) for b in BUDGETS})
        # A replayed run may stop asking sooner or later than the live one did (the hybrid stops
        # when its rounds bring nothing), so its call count is the replay's too.
        new["llm_calls"] = got["llm_calls"]
        # The live run's scores and calls are kept, once, beside the replayed ones.
        for b in BUDGETS:
            new.setdefault("live_score_at_" + b, row["score_at_" + b])
        new.setdefault("live_llm_calls", row["llm_calls"])
        print("%s %-12s %-7s seed %s: %s -> %s (%d requests differ from the recorded ones)" % (
            variant, row["space"], row["strategy"], row["seed"],
            " ".join(row["score_at_" + b] for b in BUDGETS),
            " ".join(new["score_at_" + b] for b in BUDGETS), differing))
        rescored.append(new)
    if drifted and not allow_drift:
        sys.exit("%d run(s) of %s were asked other questions than the stored ones, so their "
                 "replay is not what a live run would do: run them live (run_panel.sh), or pass "
                 "--allow-prompt-drift and say so where the figures are reported; nothing "
                 "rewritten" % (drifted, variant))
    header = list(rows[0].keys())  # the stored columns, in their order
    write_results(variant, rescored, header + [k for k in rescored[0] if k not in header])
    print("rewrote the scores and call counts of results/%s.csv (the live ones kept as "
          "live_score_at_* and live_llm_calls)" % variant)


def drift(tuna):
    for results in sorted(glob.glob(os.path.join(HERE, "results", "*.csv"))):
        variant = os.path.splitext(os.path.basename(results))[0]
        rows = stored_runs(variant)
        _, differing = replay_scores(tuna, variant, rows[0])
        print("%-30s %3d runs; its first run: %s of %s requests differ from the recorded ones" % (
            variant, len(rows), differing, rows[0]["llm_calls"]))


if __name__ == "__main__":
    args = sys.argv[1:]
    allow_drift = "--allow-prompt-drift" in args
    args = [a for a in args if a != "--allow-prompt-drift"]
    if len(args) >= 3 and args[0] == "collect":
        collect(args[1], args[2], args[3] if len(args) > 3 else "",
                args[4] if len(args) > 4 else "")
    elif len(args) >= 1 and args[0] in ("replay", "drift"):
        tuna = os.path.abspath(args[1]) if len(args) > 1 else DEFAULT_TUNA
        (replay if args[0] == "replay" else drift)(tuna)
    elif len(args) >= 2 and args[0] == "rescore":
        rescore(args[1], os.path.abspath(args[2]) if len(args) > 2 else DEFAULT_TUNA, allow_drift)
    else:
        sys.exit(__doc__)
