"""Boosted shallow trees against a random forest as the surrogate's model, in a loop shaped like
tuna's surrogate search, on a recorded search space: the probe behind the "boosted members" row
of docs/strategies.md's table of variants (session 19). Not part of tuna: a measurement.

  python boosted_trees_probe.py RECORDING.json.gz RUNS rf|gb|gbD

Needs numpy and scikit-learn (`/tmp/pv/bin/pip install scikit-learn` beside gp_probe.py's
packages). Inputs as gp_probe.py's (value index scaled to [0, 1], plus the divisibility input);
labels as tuna's classifier: 0 for the fastest 20 % measured so far, 1 for the rest and for
failures. Models: `rf` a forest of 20 trees (depth 12, split from 4 samples, 70 % of the
inputs per split); `gb` (`gbD`) 8 members, each gradient boosted on its own bootstrap sample,
40 trees of depth 2 (D), learning rate 0.15. Candidates per proposal: the unmeasured configs one
step away in one parameter from each of the 5 best (one or two parameters for the best) plus 256
fresh random ones; the one with the lowest mean - spread of the members is measured. After 10
random configs. Score at 20 / 50 / 100 = optimum / best found, mean over seeds 1..RUNS.
"""
import gzip, itertools, json, math, sys
import numpy as np
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

from gp_probe import has_divisibility, twos


def load(path):
    d = json.load(gzip.open(path))
    keys = [k for k in d['tune_params_keys'] if len(d['tune_params'][k]) > 1]
    vals = {k: d['tune_params'][k] for k in keys}
    divisible = [(i, max(twos(x) for x in vals[k]) or 1)
                 for i, k in enumerate(keys) if has_divisibility(vals[k])]
    index, T = [], []
    for v in d['cache'].values():
        t = v['time']
        T.append(float(t) if isinstance(t, (int, float)) else math.nan)
        index.append(tuple(vals[k].index(v[k]) for k in keys))
    sizes = [len(vals[k]) for k in keys]
    X = np.array([[r[i] / (sizes[i] - 1) for i in range(len(keys))]
                  + [twos(vals[keys[i]][r[i]]) / scale for i, scale in divisible] for r in index])
    return index, X, np.array(T), sizes


def neighbours(config, radius, sizes):
    """Configs one index step away in up to `radius` parameters (as Space::neighbours)."""
    out = []
    for r in range(1, radius + 1):
        for params in itertools.combinations(range(len(config)), r):
            for steps in itertools.product((-1, 1), repeat=r):
                moved = list(config)
                for p, step in zip(params, steps):
                    moved[p] += step
                if all(0 <= moved[p] < sizes[p] for p in params):
                    out.append(tuple(moved))
    return out


def predict(kind, X_fit, y, X_cand, rng):
    """Mean and spread of the members' predictions."""
    if kind == 'rf':
        forest = RandomForestRegressor(n_estimators=20, max_depth=12, min_samples_split=4,
                                       max_features=0.7,
                                       random_state=int(rng.integers(1 << 30))).fit(X_fit, y)
        P = np.stack([tree.predict(X_cand) for tree in forest.estimators_])
    else:
        depth = int(kind[2:]) if len(kind) > 2 else 2
        P = []
        for _ in range(8):
            sample = rng.integers(0, len(y), len(y))
            member = GradientBoostingRegressor(n_estimators=40, max_depth=depth,
                                               learning_rate=0.15,
                                               random_state=int(rng.integers(1 << 30)))
            P.append(member.fit(X_fit[sample], y[sample]).predict(X_cand))
        P = np.stack(P)
    return P.mean(0), P.std(0)


def run(index, X, T, sizes, seed, kind, budget=100, init=10):
    rng = np.random.default_rng(seed)
    n = len(index)
    row_of = {config: i for i, config in enumerate(index)}
    measured = list(rng.permutation(n)[:init])
    claimed = set(measured)
    while len(measured) < budget:
        y = np.log(T[measured])
        fail = np.isnan(y)
        if (~fail).sum() < 2:
            pick = int(rng.choice([i for i in range(n) if i not in claimed]))
        else:
            y = np.where(fail, np.inf, y)
            cut = np.sort(y)[max(1, math.ceil(0.2 * len(y))) - 1]
            labels = (y > cut).astype(float)
            candidates = set()
            for rank, i in enumerate(np.argsort(y)[:5]):
                if fail[i]:
                    break
                for config in neighbours(index[measured[i]], 2 if rank == 0 else 1, sizes):
                    j = row_of.get(config)
                    if j is not None and j not in claimed:
                        candidates.add(j)
            fresh = [i for i in rng.permutation(n)[:600] if i not in claimed][:256]
            candidates = sorted(candidates | set(fresh))
            mean, spread = predict(kind, X[measured], labels, X[candidates], rng)
            pick = candidates[int(np.argmin(mean - spread))]
        measured.append(pick)
        claimed.add(pick)
    opt = np.nanmin(T)
    return {b: opt / np.nanmin(T[measured[:b]]) if np.any(~np.isnan(T[measured[:b]])) else 0
            for b in (20, 50, 100)}


if __name__ == '__main__':
    path, runs, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    index, X, T, sizes = load(path)
    res = [run(index, X, T, sizes, s, kind) for s in range(1, runs + 1)]
    print(path.split('__')[-2:], kind,
          ' '.join(f'@{b} {np.mean([r[b] for r in res]):.3f}' for b in (20, 50, 100)), flush=True)
