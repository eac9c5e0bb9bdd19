"""A Gaussian process whose kernel is a sum of effects of one and of two parameters, on a recorded
search space: a probe of whether a model that adds up a slice's effect and a block shape's
effect finds the milo convolutions' optima sooner than the surrogate's forest (docs/strategies.md,
the table of variants; session 19). Not part of tuna: a measurement.

  python pairwise_gp_probe.py RECORDING.json.gz RUNS ei|ts|BETA [W1,W2,NOISE] [ml]

Needs numpy and scipy (as gp_probe.py). Each parameter's value is a category. The kernel between
two configs is W1 x (parameters equal) / d + W2 x (pairs of parameters both equal) / pairs
+ A3 x exp(-(parameters unequal) / ELL) (A3 and ELL from the environment, default 0 and 1), on
standardised log time, failures at the worst log time + 1; with `ml` the weights are refitted
by marginal likelihood every 5 measurements. After 10 random configs each next config is the
unmeasured one of the whole recording with the highest expected improvement (`ei`), the lowest
Thompson draw (`ts`) or the lowest mean - BETA * sd. Score at 20 / 50 / 100 = optimum / best
found, mean over seeds 1..RUNS.
"""
import gzip, json, math, os, sys
import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize
from scipy.stats import norm

A3 = float(os.environ.get('A3', '0'))
ELL = float(os.environ.get('ELL', '1'))


def load(path):
    d = json.load(gzip.open(path))
    keys = [k for k in d['tune_params_keys'] if len(d['tune_params'][k]) > 1]
    vals = {k: d['tune_params'][k] for k in keys}
    X, T = [], []
    for v in d['cache'].values():
        t = v['time']
        T.append(float(t) if isinstance(t, (int, float)) else math.nan)
        X.append([vals[k].index(v[k]) for k in keys])
    return np.array(X), np.array(T)


def overlaps(A, B):
    """Parameters equal, and pairs of parameters both equal, between every row of A and of B."""
    same = (A[:, None, :] == B[None, :, :]).sum(-1).astype(float)
    return same, same * (same - 1) / 2


def kernel(weights, same, pairs, d):
    return (weights[0] * same / d + weights[1] * pairs / (d * (d - 1) / 2)
            + A3 * np.exp(-(d - same) / ELL))


def refit(weights, same, pairs, d, ys):
    def nll(log_w):
        w = np.exp(log_w)
        K = kernel(w, same, pairs, d) + (w[2] + 1e-6) * np.eye(len(ys))
        try:
            c = cho_factor(K, lower=True)
        except np.linalg.LinAlgError:
            return 1e10
        return 0.5 * ys @ cho_solve(c, ys) + np.log(np.diag(c[0])).sum()
    r = minimize(nll, np.log(weights), method='L-BFGS-B',
                 bounds=[(-4, 3), (-4, 3), (-7, 0)], options={'maxiter': 30})
    return tuple(np.exp(r.x))


def run(X, T, seed, kind, weights, ml, budget=100, init=10):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    measured = list(rng.permutation(n)[:init])
    while len(measured) < budget:
        unmeasured = np.ones(n, bool)
        unmeasured[measured] = False
        y = np.log(T[measured])
        fail = np.isnan(y)
        if (~fail).sum() < 2:
            measured.append(int(rng.choice(np.nonzero(unmeasured)[0])))
            continue
        y = np.where(fail, np.nanmax(y) + 1, y)
        ys = (y - y.mean()) / (y.std() or 1)
        same, pairs = overlaps(X[measured], X[measured])
        if ml and len(measured) % 5 == 0:
            weights = refit(weights, same, pairs, d, ys)
        K = kernel(weights, same, pairs, d) + (weights[2] + 1e-6) * np.eye(len(ys))
        c = cho_factor(K, lower=True)
        alpha = cho_solve(c, ys)
        cand = np.nonzero(unmeasured)[0]
        Ks = kernel(weights, *overlaps(X[cand], X[measured]), d)
        m = Ks @ alpha
        prior_var = weights[0] + weights[1] + A3
        s = np.sqrt(np.maximum(prior_var - (Ks * cho_solve(c, Ks.T).T).sum(1), 1e-12))
        if kind == 'ei':
            z = (ys.min() - m) / s
            acq = -((ys.min() - m) * norm.cdf(z) + s * norm.pdf(z))
        elif kind == 'ts':
            acq = m + s * rng.standard_normal(len(m))
        else:
            acq = m - float(kind) * s
        measured.append(int(cand[np.argmin(acq)]))
    opt = np.nanmin(T)
    return {b: opt / np.nanmin(T[measured[:b]]) if np.any(~np.isnan(T[measured[:b]])) else 0
            for b in (20, 50, 100)}


if __name__ == '__main__':
    path, runs, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    weights = tuple(float(x) for x in sys.argv[4].split(',')) if len(sys.argv) > 4 else (1, 1, 0.05)
    ml = len(sys.argv) > 5 and sys.argv[5] == 'ml'
    X, T = load(path)
    res = [run(X, T, s, kind, weights, ml) for s in range(1, runs + 1)]
    print(path.split('__')[-2:], kind, weights, 'ml' if ml else 'fixed', f'A3={A3} ELL={ELL}',
          ' '.join(f'@{b} {np.mean([r[b] for r in res]):.3f}' for b in (20, 50, 100)), flush=True)
