#!/usr/bin/env python3
"""How well the refinement prompt's "Next step" moves predict what the recording says.

  move_evidence.py VARIANT [TUNA]

Replays every hybrid run of results/VARIANT.csv through the `command` provider with this script
as the "model" (it saves each request and answers with the stored reply of that call, so the
run is the stored one), then reads every request that has a "Next step" section and scores the
one-parameter moves of anchor 1 (the best config) against the recording:

- base rate: of all unmeasured one-parameter moves of anchor 1 to a value measured somewhere,
  the share that is faster than anchor 1 in the recording;
- the same split by matched pairs: measured configs x, y that differ only in the moved parameter
  (x with anchor 1's value, y with the target value), whose geometric-mean time ratio says
  faster or slower;
- the listed moves (the first 9 values the prompt lists around anchor 1): the share faster,
  the share of prompts whose list holds a faster move, and the mean of the best gain in the list;
  and the same for the list reordered by the matched pairs (moves with pairs saying faster
  first, those with pairs saying slower dropped).

Nothing here is an input of tuna: it measures the prompt (bench/results/llm.md, "The moves
the prompt suggests, read against the recordings")."""
import collections
import csv
import glob
import gzip
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "datasets"))
BUDGETS = "20,50,71,100"
LISTED = 9


def answer_from_transcript():
    """The `command` provider side: save the request, print the stored reply of this call."""
    out, transcript, space, seed = (os.environ["MOVE_EVIDENCE_" + k]
                                    for k in ("OUT", "TRANSCRIPT", "SPACE", "SEED"))
    raw = sys.stdin.read()
    n = len(glob.glob(os.path.join(out, "req-*.json")))
    with open(os.path.join(out, "req-%d.json" % n), "w") as f:
        f.write(raw)
    with open(transcript) as f:
        for line in f:
            j = json.loads(line)
            if (j["space"] == space and str(j["seed"]) == seed and j["strategy"] == "hybrid"
                    and int(j["call"]) == n):
                sys.stdout.write(j["reply"])
                return
    sys.exit("move_evidence.py: no stored reply for call %d" % n)


def spec_space(spec):
    """The recording's file name (without .json.gz) that a panel spec points at."""
    with open(spec) as f:
        m = re.search(r'recording\s*=\s*"[^"]*/([^/"]+?)\.json(\.gz)?"', f.read())
    return m.group(1)


def dump_requests(variant, tuna, work):
    transcript = os.path.join(HERE, "transcripts", variant + ".jsonl")
    runs = []
    with open(os.path.join(HERE, "results", variant + ".csv")) as f:
        for row in csv.DictReader(f):
            if row["strategy"] != "hybrid":
                continue
            spec = os.path.join(HERE, "specs", row["space"] + ".toml")
            out = os.path.join(work, "%s_s%s" % (row["space"], row["seed"]))
            os.makedirs(out)
            env = dict(os.environ, MOVE_EVIDENCE_OUT=out, MOVE_EVIDENCE_TRANSCRIPT=transcript,
                       MOVE_EVIDENCE_SPACE=spec_space(spec), MOVE_EVIDENCE_SEED=row["seed"])
            cmd = [tuna, "compare", spec, "--strategies", "hybrid", "--runs", "1", "--seed",
                   row["seed"], "--budgets", BUDGETS, "--threads", "1", "--llm-provider",
                   "command", "--llm-model", "relay", "--llm-command",
                   "%s %s --answer" % (sys.executable, os.path.abspath(__file__))]
            cmd += shlex.split(row["args"].replace("{datasets}", DATASETS))
            done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  cwd=out, env=env)
            if done.returncode:
                sys.exit("move_evidence.py: the replay of %s seed %s failed:\n%s" % (
                    row["space"], row["seed"], done.stderr))
            runs.append((spec_space(spec), out))
    return runs


def recording(space, cache={}):
    if space not in cache:
        with gzip.open(os.path.join(DATASETS, space + ".json.gz")) as f:
            d = json.load(f)
        keys = d["tune_params_keys"]
        times = {tuple(str(v[k]) for k in keys): v["time"] for v in d["cache"].values()
                 if isinstance(v.get("time"), (int, float)) and v["time"] < 1e9}
        cache[space] = (keys, times)
    return cache[space]


def measured(last, default):
    """The configs of the "Configs that ran" list, as full configs with their times (ms)."""
    out = []
    for line in last[last.index("## Configs that ran"):].split("\n"):
        m = re.match(r"#\d+\s+([\d.]+) (m?s)\s+\S+\s+x[\d.]+\s+(.*)", line)
        if not m:
            continue
        cfg = dict(default)
        if m.group(3).strip() != "(default)":
            cfg.update(kv.split("=", 1) for kv in m.group(3).split() if "=" in kv)
        out.append((cfg, float(m.group(1)) * (1000 if m.group(2) == "s" else 1)))
    return out


def listed_moves(last):
    block = last[last.index("## Next step"):]
    if "Around anchor 1:" not in block:
        return []
    block = block.split("Around anchor 1:")[1].split("Around anchor 2:")[0]
    moves = []
    for line in block.split("\n"):
        m = re.match(r"\s+- (\w+) (\S+) -> ([^:]+): ", line)
        if m:
            moves += [(m.group(1), to.strip('"')) for to in m.group(3).split(" or ")]
    return moves


def score(runs):
    split = collections.Counter()
    lists = {"as listed": collections.Counter(), "reordered by pairs": collections.Counter()}
    for space, out in runs:
        keys, times = recording(space)
        for req in sorted(glob.glob(os.path.join(out, "req-*.json"))):
            with open(req) as f:
                messages = json.load(f)["messages"]
            first, last = messages[1]["content"], messages[-1]["content"]
            dm = re.search(r"## Default config\n(\{.*\})", first)
            am = re.search(r"- Anchor 1[^\n]*?: [\d.]+ m?s (\{[^\n]*\})", last)
            if not dm or not am or "## Configs that ran" not in last or "## Next step" not in last:
                continue
            default = {k: str(v) for k, v in json.loads(dm.group(1)).items()}
            anchor = dict(default, **{k: str(v) for k, v in json.loads(am.group(1)).items()})
            t_anchor = times[tuple(anchor[k] for k in keys)]
            ran = measured(last, default)
            ran_keys = {tuple(c[k] for k in keys) for c, _ in ran}

            def moved(p, to):
                c = dict(anchor, **{p: to})
                k = tuple(c[q] for q in keys)
                return (None if k in ran_keys else times.get(k))

            def pair_ratio(p, to):
                r = [ty / tx for x, tx in ran if x[p] == anchor[p] for y, ty in ran
                     if y[p] == to and all(x[k] == y[k] for k in keys if k != p)]
                return math.exp(sum(map(math.log, r)) / len(r)) if r else None

            faster, slower = [], set()
            for p in keys:
                for to in {c[p] for c, _ in ran} - {anchor[p]}:
                    t = moved(p, to)
                    if t is None:
                        continue
                    ratio = pair_ratio(p, to)
                    verdict = ("no pairs" if ratio is None else
                               "pairs say faster" if ratio < 1 else "pairs say slower")
                    split[(verdict, t < t_anchor)] += 1
                    if ratio is not None and ratio < 1:
                        faster.append((ratio, p, to))
                    elif ratio is not None:
                        slower.add((p, to))
            listed = listed_moves(last)
            first_moves = [(p, to) for _, p, to in sorted(faster)]
            reordered = first_moves + [m for m in listed if m not in slower and m not in first_moves]
            for name, moves in (("as listed", listed), ("reordered by pairs", reordered)):
                got = [t for t in (moved(p, to) for p, to in moves[:LISTED]) if t]
                s = lists[name]
                s["prompts"] += 1
                s["moves"] += len(got)
                s["faster"] += sum(t < t_anchor for t in got)
                s["holds a faster move"] += any(t < t_anchor for t in got)
                s["best gain"] += max([t_anchor / t for t in got] + [1.0])
    return split, lists


def main():
    if "--answer" in sys.argv:
        return answer_from_transcript()
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    variant = sys.argv[1]
    tuna = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "build", "tuna")
    with tempfile.TemporaryDirectory() as work:
        split, lists = score(dump_requests(variant, os.path.abspath(tuna), work))
    print("one-parameter moves of anchor 1 (unmeasured, to values measured elsewhere), %s:" % variant)
    for verdict in ("pairs say faster", "pairs say slower", "no pairs"):
        n, better = split[(verdict, True)] + split[(verdict, False)], split[(verdict, True)]
        print("  %-17s %5d moves, %.1f %% faster than anchor 1" % (verdict, n, 100 * better / max(n, 1)))
    total = sum(split.values())
    print("  %-17s %5d moves, %.1f %% faster" % ("all", total,
          100 * sum(v for (_, b), v in split.items() if b) / max(total, 1)))
    for name, s in lists.items():
        print("first %d listed moves, %s: %.1f %% faster; a faster move in %.1f %% of %d prompts; "
              "mean best gain x%.4f" % (LISTED, name, 100 * s["faster"] / max(s["moves"], 1),
                                        100 * s["holds a faster move"] / max(s["prompts"], 1),
                                        s["prompts"], s["best gain"] / max(s["prompts"], 1)))


if __name__ == "__main__":
    main()
