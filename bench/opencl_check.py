#!/usr/bin/env python3
"""Checks the OpenCL examples (examples/opencl/*) with pyopencl, without tuna.

For each example it reads spec.toml (parameters, constraints, arguments, launch geometry,
tolerances), builds the default configuration and a few random valid ones with the parameters
as -D defines, runs each on the first OpenCL device (PoCL on a CPU) against a numpy reference,
and prints the max error against the spec's tolerance and the median time.

    python3 -m venv build-oclex/venv && build-oclex/venv/bin/pip install pyopencl numpy
    build-oclex/venv/bin/python bench/opencl_check.py [gemm conv2d reduction] [--configs 6]

Exit status 1 when any configuration fails its check. Spec expressions are evaluated as Python
(tuna's expression language is a superset of what these specs use: // / % and or not,
ceil_div, min, max), so a spec using other syntax is reported, not silently misread.
"""
import argparse
import itertools
import math
import pathlib
import random
import sys
import time
import tomllib

import numpy as np
import pyopencl as cl

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "opencl"


def evaluate(expr, env):
    if isinstance(expr, (int, float)):
        return expr
    text = expr.replace("&&", " and ").replace("||", " or ")
    names = dict(env)
    names.update(ceil_div=lambda a, b: -(-a // b), min=min, max=max, ceil=math.ceil,
                 floor=math.floor, log2=math.log2)
    return eval(text, {"__builtins__": {}}, names)


def param_values(p):
    if isinstance(p, list):
        return p
    if "values" in p:
        return p["values"]
    if "pow2" in p:
        lo, hi = p["pow2"]
        return [1 << i for i in range(lo.bit_length() - 1, hi.bit_length())]
    if "range" in p:
        lo, hi = p["range"]
        return list(range(lo, hi + 1, p.get("step", 1)))
    return [False, True]


def valid_configs(spec):
    names = list(spec["params"])
    grids = [param_values(spec["params"][n]) for n in names]
    problem = spec.get("problem", {})
    # Compiled once: the GEMM space has 663,552 grid points.
    constraints = [compile(c.replace("&&", " and ").replace("||", " or "), "<constraint>", "eval")
                   for c in spec.get("constraints", {}).values()]
    out = []
    for values in itertools.product(*grids):
        env = dict(problem, **dict(zip(names, values)))
        if all(eval(c, {"__builtins__": {}}, env) for c in constraints):
            out.append(dict(zip(names, values)))
    return out


def default_config(spec):
    cfg = {}
    for name, p in spec["params"].items():
        cfg[name] = p["default"] if isinstance(p, dict) and "default" in p else param_values(p)[0]
    return cfg


def make_arguments(spec, ctx, queue, seed):
    """Host arrays and device buffers for every [[args]] entry, seeded like tuna (numpy's
    generator, not tuna's: the values differ, the distribution is the same)."""
    problem = spec.get("problem", {})
    rng = np.random.default_rng(seed)
    host, scalars = {}, {}
    for arg in spec["args"]:
        dtype = {"f32": np.float32, "i32": np.int32, "u32": np.uint32}[arg["type"]]
        if "count" not in arg:
            scalars[arg["name"]] = dtype(evaluate(arg["value"], problem))
            continue
        count = int(evaluate(arg["count"], problem))
        role = arg.get("role", "input")
        init = arg.get("init", "zeros" if role == "output" else "random")
        if init == "random":
            lo, hi = arg.get("range", [-1.0, 1.0])
            data = rng.uniform(lo, hi, count).astype(dtype)
        elif init == "zeros":
            data = np.zeros(count, dtype)
        elif init == "ones":
            data = np.ones(count, dtype)
        else:
            raise SystemExit(f"{arg['name']}: init '{init}' is not handled by this script")
        host[arg["name"]] = data
    return host, scalars


def launch_sizes(spec, env):
    launch = spec["launch"]
    grid = [int(evaluate(e, env)) for e in launch["grid"]]
    block = [int(evaluate(e, env)) for e in launch["block"]]
    convention = launch.get("convention", "grid")
    glob = grid if convention == "global" else [g * b for g, b in zip(grid, block)]
    return tuple(glob), tuple(block)


class Example:
    def __init__(self, name, ctx, queue):
        self.dir = EXAMPLES / name
        self.spec = tomllib.loads((self.dir / "spec.toml").read_text())
        self.source = (self.dir / self.spec["kernel"]["source"]).read_text()
        self.ctx, self.queue = ctx, queue

    def run(self, cfg, host, scalars, reps, entry=None):
        defines = " ".join(f"-D{k}={int(v)}" for k, v in cfg.items())
        t0 = time.perf_counter()
        program = cl.Program(self.ctx, self.source)
        try:
            program.build(options=defines)
        except cl.RuntimeError:
            log = program.get_build_info(self.ctx.devices[0], cl.program_build_info.LOG)
            errors = [line for line in log.splitlines() if "error" in line]
            raise cl.RuntimeError("build failed: " + " | ".join(errors[:3]))
        build_ms = (time.perf_counter() - t0) * 1e3
        kernel = getattr(program, entry or self.spec["kernel"]["entry"])
        mf = cl.mem_flags
        buffers = {n: cl.Buffer(self.ctx, mf.READ_WRITE | mf.COPY_HOST_PTR, hostbuf=a)
                   for n, a in host.items()}
        args = [buffers[a["name"]] if "count" in a else scalars[a["name"]]
                for a in self.spec["args"]]
        env = dict(self.spec.get("problem", {}), **cfg)
        glob, local = launch_sizes(self.spec, env)
        times = []
        outputs = None
        for rep in range(reps + 1):
            for n, a in host.items():  # every run starts from the initial contents
                cl.enqueue_copy(self.queue, buffers[n], a)
            self.queue.finish()
            t0 = time.perf_counter()
            kernel(self.queue, glob, local, *args)
            self.queue.finish()
            times.append((time.perf_counter() - t0) * 1e3)
            if rep == 0:
                outputs = {a["name"]: np.empty_like(host[a["name"]]) for a in self.spec["args"]
                           if a.get("role") in ("output", "inout")}
                for n, o in outputs.items():
                    cl.enqueue_copy(self.queue, o, buffers[n])
                self.queue.finish()
        return outputs, build_ms, float(np.median(times[1:] or times))


def reference_gemm(spec, host, scalars):
    p = spec["problem"]
    M, N, K = p["M"], p["N"], p["K"]
    a = host["A"].astype(np.float64).reshape(K, M)
    b = host["B"].astype(np.float64).reshape(K, N)
    c = host["C"].astype(np.float64).reshape(N, M)
    return {"C": (p["alpha"] * (b.T @ a) + p["beta"] * c).ravel()}


def reference_conv2d(spec, host, scalars):
    p = spec["problem"]
    H, W = p["H"], p["W"]
    R = (math.isqrt(host["w"].size) - 1) // 2  # the filter is square: 25 taps, radius 2
    img = np.pad(host["in"].astype(np.float64).reshape(H, W), R)
    w = host["w"].astype(np.float64).reshape(2 * R + 1, 2 * R + 1)
    out = np.zeros((H, W))
    for dy in range(2 * R + 1):
        for dx in range(2 * R + 1):
            out += w[dy, dx] * img[dy:dy + H, dx:dx + W]
    return {"out": out.ravel()}


def reference_reduction(spec, host, scalars):
    return {"out": np.array([host["x"].astype(np.float64).sum()])}


REFERENCES = {"gemm": reference_gemm, "conv2d": reference_conv2d,
              "reduction": reference_reduction}


def check_example(name, ctx, queue, n_configs, reps, seed, problem=""):
    ex = Example(name, ctx, queue)
    spec = ex.spec
    for item in filter(None, problem.split(",")):
        key, value = item.split("=")
        spec["problem"][key] = type(spec["problem"][key])(value)
    valid = valid_configs(spec)
    default = default_config(spec)
    if default not in valid:
        print(f"{name}: the default configuration violates a constraint: {default}")
        return False
    rng = random.Random(seed)
    configs = [default] + rng.sample(valid, min(n_configs, len(valid)))
    host, scalars = make_arguments(spec, ctx, queue, seed)
    expected = REFERENCES[name](spec, host, scalars)
    check = spec.get("check", {})
    atol, rtol = check.get("atol", 1e-6), check.get("rtol", 1e-5)
    print(f"{name}: {len(valid)} valid configurations; checking {len(configs)} "
          f"(atol {atol:g}, rtol {rtol:g})")
    all_ok = True
    runs = [(cfg, None) for cfg in configs]
    if check.get("kernel"):  # the spec's reference kernel, at the default's geometry as in tuna
        runs.insert(0, (default, check["kernel"]))
    for cfg, entry in runs:
        key = ",".join(f"{k}={int(v)}" for k, v in cfg.items())
        if entry:
            key = f"{entry} (reference kernel)"
        try:
            outputs, build_ms, median_ms = ex.run(cfg, host, scalars, reps, entry)
        except cl.Error as e:
            print(f"  FAIL {key}: {str(e).splitlines()[0]}")
            all_ok = False
            continue
        worst, ok = 0.0, True
        for n, ref in expected.items():
            err = np.abs(outputs[n].astype(np.float64) - ref)
            bound = atol + rtol * np.abs(ref).max()
            worst = max(worst, float(np.nanmax(err)) if not np.isnan(err).any() else math.inf)
            ok = ok and bool(np.all(err <= bound))
        all_ok = all_ok and ok
        print(f"  {'ok  ' if ok else 'FAIL'} max err {worst:.3g}  build {build_ms:6.0f} ms  "
              f"run {median_ms:8.3f} ms  {key}")
    return all_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="*", default=list(REFERENCES))
    parser.add_argument("--configs", type=int, default=6, help="random valid configs per example")
    parser.add_argument("--reps", type=int, default=5, help="timed runs per config")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--problem", default="",
                        help="override problem constants, e.g. M=128,N=256,K=64")
    args = parser.parse_args()
    ctx = cl.create_some_context(interactive=False)
    queue = cl.CommandQueue(ctx)
    print(f"device: {ctx.devices[0].name} ({ctx.devices[0].platform.name})")
    ok = all([check_example(n, ctx, queue, args.configs, args.reps, args.seed, args.problem)
              for n in args.examples])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
