#!/usr/bin/env python3
"""How well the refinement prompt's "Next step" moves predict what the recording says.

  move_evidence.py VARIANT [TUNA]

Replays every hybrid run of results/VARIANT.csv from its transcript (`--llm-replay`, so the run
is the stored one, with `--db` keeping each request the model was sent), then reads every
request that has a "Next step" section and scores the one-parameter moves of anchor 1 (the best
config) against the recording:

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
import functools
import gzip
import json
import math
import os
import re
import subprocess
import sys
import tempfile

from panel import DATASETS, HERE, replay_command, stored_requests, stored_runs

LISTED = 9


def requests_of_stored_runs(variant, tuna, work):
    """Each stored hybrid run of VARIANT replayed from its transcript (`--llm-replay`, as
    `panel.py replay` does), with `--db` keeping every request the replay made; yields the run's
    recording name and its requests in call order."""
    for n, row in enumerate(stored_runs(variant, "hybrid")):
        store = os.path.join(work, "run%d.db" % n)
        done = subprocess.run(replay_command(tuna, variant, row) + ["--db", store, "--json"],
                              capture_output=True, text=True, cwd=work)
        if done.returncode:
            sys.exit("move_evidence.py: the replay of %s seed %s failed:\n%s" % (
                row["space"], row["seed"], done.stderr))
        space = json.loads(done.stdout)["spaces"][0]["name"]
        yield space, [json.loads(p) for p in stored_requests(store)]


@functools.lru_cache(maxsize=None)
def recording(space):
    """The recording's parameter names and {config as a tuple of strings: time}."""
    with gzip.open(os.path.join(DATASETS, space + ".json.gz")) as f:
        d = json.load(f)
    keys = d["tune_params_keys"]
    times = {tuple(str(v[k]) for k in keys): v["time"] for v in d["cache"].values()
             if isinstance(v.get("time"), (int, float)) and v["time"] < 1e9}
    return keys, times


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


def score_prompt(keys, times, first, last, split, lists):
    """Adds one refinement prompt's moves of anchor 1 to the tallies."""
    dm = re.search(r"## Default config\n(\{.*\})", first)
    am = re.search(r"- Anchor 1[^\n]*?: [\d.]+ m?s (\{[^\n]*\})", last)
    if not dm or not am or "## Configs that ran" not in last or "## Next step" not in last:
        return
    default = {k: str(v) for k, v in json.loads(dm.group(1)).items()}
    anchor = dict(default, **{k: str(v) for k, v in json.loads(am.group(1)).items()})
    t_anchor = times[tuple(anchor[k] for k in keys)]
    ran = measured(last, default)
    ran_keys = {tuple(c[k] for k in keys) for c, _ in ran}

    def moved(p, to):  # the recorded time of anchor 1 with p = to; None when measured already
        c = dict(anchor, **{p: to})
        k = tuple(c[q] for q in keys)
        return None if k in ran_keys else times.get(k)

    def pair_ratio(p, to):  # geometric mean of t(y) / t(x) over the matched pairs, or None
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
            if ratio is None:
                split[("no pairs", t < t_anchor)] += 1
            elif ratio < 1:
                split[("pairs say faster", t < t_anchor)] += 1
                faster.append((ratio, p, to))
            else:
                split[("pairs say slower", t < t_anchor)] += 1
                slower.add((p, to))
    listed = listed_moves(last)
    first_moves = [(p, to) for _, p, to in sorted(faster)]
    reordered = first_moves + [m for m in listed if m not in slower and m not in first_moves]
    for name, moves in (("as listed", listed), ("reordered by pairs", reordered)):
        got = [t for t in (moved(p, to) for p, to in moves[:LISTED]) if t]
        tally = lists[name]
        tally["prompts"] += 1
        tally["moves"] += len(got)
        tally["faster"] += sum(t < t_anchor for t in got)
        tally["holds a faster move"] += any(t < t_anchor for t in got)
        tally["best gain"] += max([t_anchor / t for t in got] + [1.0])


def score(runs):
    split = collections.Counter()
    lists = {"as listed": collections.Counter(), "reordered by pairs": collections.Counter()}
    for space, prompts in runs:
        keys, times = recording(space)
        for prompt in prompts:
            messages = prompt["messages"]
            score_prompt(keys, times, messages[1]["content"], messages[-1]["content"], split,
                         lists)
    return split, lists


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    variant = sys.argv[1]
    tuna = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "build", "tuna")
    with tempfile.TemporaryDirectory() as work:
        split, lists = score(requests_of_stored_runs(variant, os.path.abspath(tuna), work))
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
