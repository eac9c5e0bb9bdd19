"""Gaussian-process Bayesian optimisation on a recorded search space: a probe of whether another
model class than the surrogate's random forest finds the milo convolutions' optima sooner
(docs/strategies.md, the table of variants; session 18). Not part of tuna: a measurement.

  python gp_probe.py RECORDING.json.gz RUNS [ei|BETA]

Needs numpy and scipy (PyPI: `python3 -m venv /tmp/pv && /tmp/pv/bin/pip install numpy scipy`).
Model: a GP with a Matern-5/2 kernel, one length scale per input (ARD), on each parameter's value
index scaled to [0, 1] plus, for integer lists of three or more values that are not all powers
of two, the power of two dividing the value (scaled), as tuna's SurrogateFeatures do; target:
standardised log time, failures at the worst log time + 1; hyperparameters by L-BFGS on the
log marginal likelihood, refitted every 8 measurements. After 10 random configs each next
config is the unmeasured one of the whole recording with the highest expected improvement
(`ei`) or the lowest mean - BETA * sd: a stronger candidate set than tuna's. Score at 20 / 50 /
100 = optimum / best found, mean over seeds 1..RUNS (numpy's generator, not tuna's seeds).
"""
import gzip, json, math, sys, numpy as np
from scipy.optimize import minimize
from scipy.linalg import cho_factor, cho_solve
from scipy.stats import norm

def twos(x):
    """The power of two dividing x (0 for x <= 0)."""
    return (x & -x).bit_length() - 1 if x > 0 else 0

def has_divisibility(values):
    """Whether a parameter gets the divisibility input (as tuna's SurrogateFeatures decide)."""
    return (all(isinstance(x, int) for x in values) and len(values) >= 3
            and not all(x > 0 and x & (x - 1) == 0 for x in values))

def load(path):
    d = json.load(gzip.open(path))
    keys = [k for k in d['tune_params_keys'] if len(d['tune_params'][k]) > 1]
    vals = {k: d['tune_params'][k] for k in keys}
    # Per divisibility input: its parameter and the largest power of two in its list (the scale).
    divisible = [(k, max(twos(x) for x in vals[k]) or 1) for k in keys if has_divisibility(vals[k])]
    X, T = [], []
    for v in d['cache'].values():
        t = v['time']
        T.append(float(t) if isinstance(t, (int, float)) else math.nan)
        row = [vals[k].index(v[k]) / (len(vals[k]) - 1) for k in keys]
        row += [twos(v[k]) / scale for k, scale in divisible]
        X.append(row)
    return np.array(X), np.array(T)

def matern(A, B, ls, var):
    D = np.sqrt((((A[:, None, :] - B[None, :, :]) / ls) ** 2).sum(-1))
    s5 = math.sqrt(5) * D
    return var * (1 + s5 + s5 * s5 / 3) * np.exp(-s5)

def fit(X, y, prev=None):
    d = X.shape[1]
    def nll(p):
        ls = np.exp(p[:d]); var = np.exp(p[d]); noise = np.exp(p[d + 1]) + 1e-6
        K = matern(X, X, ls, var) + noise * np.eye(len(X))
        try: c = cho_factor(K, lower=True)
        except np.linalg.LinAlgError: return 1e10
        a = cho_solve(c, y)
        return 0.5 * y @ a + np.log(np.diag(c[0])).sum()
    starts = [np.r_[np.log(np.full(d, 0.5)), 0.0, np.log(0.01)]]
    if prev is not None: starts.append(prev)
    best = None
    for s in starts:
        r = minimize(nll, s, method='L-BFGS-B', bounds=[(-3, 3)] * d + [(-3, 3), (-9, 0)], options={'maxiter': 40})
        if best is None or r.fun < best.fun: best = r
    return best.x

def run(X, T, seed, budget=100, init=10, kind='ei'):
    rng = np.random.default_rng(seed)
    n = len(X); d = X.shape[1]
    opt = np.nanmin(T)
    measured = list(rng.permutation(n)[:init])
    p = None
    while len(measured) < budget:
        unmeasured = np.ones(n, bool); unmeasured[measured] = False
        y = np.log(T[measured])
        fail = np.isnan(y)
        if (~fail).sum() >= 2:
            y = np.where(fail, np.nanmax(y) + 1, y)
            mu, sd = y.mean(), y.std() or 1
            ys = (y - mu) / sd
            Xm = X[measured]
            if p is None or len(measured) % 8 == 0: p = fit(Xm, ys, p)
            ls = np.exp(p[:d]); var = np.exp(p[d]); noise = np.exp(p[d + 1]) + 1e-6
            K = matern(Xm, Xm, ls, var) + noise * np.eye(len(Xm))
            c = cho_factor(K, lower=True); a = cho_solve(c, ys)
            cand = np.nonzero(unmeasured)[0]
            Ks = matern(X[cand], Xm, ls, var)
            m = Ks @ a
            v = np.maximum(var - (Ks * cho_solve(c, Ks.T).T).sum(1), 1e-12)
            s = np.sqrt(v)
            fbest = ys.min()
            if kind == 'ei':
                z = (fbest - m) / s; acq = -((fbest - m) * norm.cdf(z) + s * norm.pdf(z))
            else:
                acq = m - float(kind) * s
            measured.append(int(cand[np.argmin(acq)]))
        else:
            measured.append(int(rng.choice(np.nonzero(unmeasured)[0])))
    out = {}
    for b in (20, 50, 100):
        t = T[measured[:b]]
        out[b] = opt / np.nanmin(t) if np.any(~np.isnan(t)) else 0
    return out

if __name__ == '__main__':
    path, runs, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else 'ei'
    X, T = load(path)
    res = [run(X, T, s, kind=kind) for s in range(1, runs + 1)]
    print(path.split('__')[-2:], kind, ' '.join(f'@{b} {np.mean([r[b] for r in res]):.3f}' for b in (20, 50, 100)), flush=True)
