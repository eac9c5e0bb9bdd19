#!/usr/bin/env python3
"""Where a short tuning run's wall time went, from the store it wrote (issue 17, GPU busy).

    busy_timeline.py STORE T0 T1 [WARMUP]

STORE is the run's SQLite store, T0 and T1 the command's start and end (seconds since the
epoch, as `date +%s.%N` prints them). Reads the latest run's results and prints one JSON line:

- startup_s: from the command's start to the first config's run on the device;
- worker_s: the sum of the configs' runs in the bench worker (each result's started_at to
  finished_at: loading the module, the checked run and its check, the timed runs, the reply);
- kernel_s: the kernels' own time in those runs, estimated as the timed repetitions' sum plus
  (1 checked run + WARMUP warm-up runs, default 1) times the config's median;
- gaps_s: time between one config's end and the next one's start on the device (the device
  waiting for a compile or for the tuner), with the largest gap and the median;
- tail_s: from the last config's end to the command's end (the summary, the store, exit);
- compiled / cached: configs compiled in this run and those whose artifact was in the cache.
Every figure comes from timestamps tuna already stores; nothing is sampled.
"""
import json
import sqlite3
import sys


def main() -> int:
    store, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    db = sqlite3.connect(store)
    run = db.execute("SELECT max(run_id) FROM results").fetchone()[0]
    rows = db.execute(
        "SELECT started_at, finished_at, median_ms, times_json, compile_ms, status "
        "FROM results WHERE run_id = ? AND finished_at > started_at ORDER BY started_at",
        (run,)).fetchall()
    if not rows:
        print(json.dumps({"error": f"no results of run {run} in {store}"}))
        return 1
    worker = sum(r[1] - r[0] for r in rows)
    kernel = 0.0
    for _, _, median, times, _, status in rows:
        reps = json.loads(times) if times else []
        if reps and median:
            kernel += (sum(reps) + (1 + warmup) * median) / 1000
    gaps = sorted(max(0.0, rows[i + 1][0] - rows[i][1]) for i in range(len(rows) - 1))
    compiled = sum(1 for r in rows if r[4] and r[4] > 0)
    print(json.dumps({
        "configs": len(rows),
        "wall_s": round(t1 - t0, 3),
        "startup_s": round(rows[0][0] - t0, 3),
        "worker_s": round(worker, 3),
        "kernel_s": round(kernel, 3),
        "gaps_s": round(sum(gaps), 3),
        "gap_median_ms": round(gaps[len(gaps) // 2] * 1000, 2) if gaps else None,
        "gap_max_ms": round(gaps[-1] * 1000, 2) if gaps else None,
        "tail_s": round(t1 - max(r[1] for r in rows), 3),
        "kernel_share_of_wall": round(kernel / (t1 - t0), 3),
        "compiled": compiled,
        "cached": len(rows) - compiled,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
