"""Kernel Tuner's calling convention: `tune_kernel` builds a tuna spec from Kernel Tuner's
arguments and runs `tuna.tune` on it, so a Kernel Tuner 1.5 script switches to tuna by changing
its import line:

    import tuna as kernel_tuner          # or: from tuna import tune_kernel
    results, env = kernel_tuner.tune_kernel("vector_add", code, size, args, tune_params)

What is supported, what differs and what is not: docs/python.md, "Kernel Tuner's calling
convention". Nothing here tunes: the search, compilation, timing and checks are tuna's."""

import json
import math
import os
import shutil
import tempfile
import time as _time
import warnings
from typing import Any, Dict, Tuple

from . import kt_results, kt_space, kt_spec
from .api import export, tune
from .errors import UserError
from .kt_results import (CompilationFailedConfig, ErrorConfig, InvalidConfig,
                         RuntimeFailedConfig)


# Kernel Tuner strategy -> tuna strategy; the others run tuna's `auto` (with a warning).
_STRATEGIES = {"brute_force": "exhaustive", "random_sample": "random",
               "genetic_algorithm": "genetic_algorithm",
               "simulated_annealing": "simulated_annealing", "diff_evo": "differential_evolution",
               "bayes_opt": "surrogate"}
_SUBSTITUTED = ["greedy_ils", "greedy_mls", "mls", "ordered_greedy_mls", "pso",
                "firefly_algorithm", "basinhopping", "minimize", "dual_annealing", "skopt",
                "pyatf_strategies", "hybrid_vndx", "adaptive_tabu_greywolf", "nsga2", "nsga3"]
_TUNA_STRATEGIES = ["auto", "random", "exhaustive", "surrogate", "pattern",
                    "differential_evolution", "simulated_annealing", "genetic_algorithm", "llm",
                    "hybrid"]

__all__ = ["tune_kernel", "ErrorConfig", "InvalidConfig", "CompilationFailedConfig",
           "RuntimeFailedConfig"]


def tune_kernel(kernel_name, kernel_source, problem_size, arguments, tune_params,
                grid_div_x=None, grid_div_y=None, grid_div_z=None, restrictions=None,
                answer=None, atol=1e-6, verify=None, verbose=False, lang=None, device=0,
                platform=0, smem_args=None, cmem_args=None, texmem_args=None, compiler=None,
                compiler_options=None, defines=None, log=None, iterations=7,
                block_size_names=None, quiet=False, strategy=None, strategy_options=None,
                cache=None, metrics=None, simulation_mode=False, parallel=None, observers=None,
                objective=None, objective_higher_is_better=None, objectives=None, seed=None):
    """Tunes a kernel with Kernel Tuner 1.5's arguments and returns (results, env) in Kernel
    Tuner's shapes: one dict per config (every tunable parameter, "time" in ms, "times",
    "compile_time", ...; a failed config has "__error__" instead of "time") and a dict about
    the run. The tuning itself is tuna's (`tuna.tune`); docs/python.md lists the differences."""
    started = _time.perf_counter()
    call_started = _time.time()
    try:
        import numpy as np
    except ImportError:
        raise UserError("tune_kernel needs NumPy (pip install numpy): arguments are NumPy arrays "
                        "and scalars") from None

    _refuse_unsupported(verify=verify, texmem_args=texmem_args,
                        simulation_mode=simulation_mode, observers=observers,
                        objective=objective, objective_higher_is_better=objective_higher_is_better,
                        objectives=objectives, kernel_source=kernel_source,
                        problem_size=problem_size)
    _warn_ignored(log=log, parallel=parallel, compiler=compiler)
    kt_results.check_metrics(metrics)
    if not isinstance(iterations, (int, np.integer)) or isinstance(iterations, bool) or \
            iterations < 1:
        raise UserError(f"iterations must be a whole number of at least 1, not {iterations!r}")

    source_file, source_text, extra_files = kt_spec.source(kernel_source)
    lang_name = lang if lang is not None else kt_spec.detect_language(source_text)
    backend = kt_spec.backend_of(lang_name)
    params = kt_space.parameter_values(tune_params)
    names = kt_spec.block_names(block_size_names, params, backend)
    dims = kt_spec.problem_dims(problem_size, params)

    constraints = kt_space.constraints_for(restrictions, params)
    threads = kt_spec.threads_constraint(names, params, backend)
    if threads is not None:
        constraints.append(threads)
    tests = [c.test for c in constraints]
    default = kt_space.first_valid(params, tests) or {n: v[0] for n, v in params.items()}

    workdir = tempfile.mkdtemp(prefix="tuna-kt-")
    try:
        spec = kt_spec.build_spec(kernel_name, backend, source_file, source_text, workdir,
                                  params, default, constraints, problem_size, dims, names,
                                  (grid_div_x, grid_div_y, grid_div_z), smem_args, arguments,
                                  answer, atol, compiler_options, defines, np,
                                  cmem_args=cmem_args)
        strategy_name, budget = _strategy(strategy, strategy_options, params, tests)
        db, priors, cache_file = _store(cache, workdir, kernel_name, params, problem_size)
        options = dict(budget, db=db, base_dir=workdir, quiet=bool(quiet),
                       verbose=bool(verbose), seed=seed, min_reps=int(iterations),
                       timing_budget=0, shootout_rounds=0, **_device_flags(backend, device,
                                                                            platform))
        outcome = _run(spec, strategy_name, options, priors)

        param_names = list(params)
        stored = outcome.run_results  # this call's configs, not all the store holds
        results = [kt_results.kt_result(r, param_names) for r in stored]
        for r in results:
            kt_results.apply_metrics(r, metrics)
        if cache_file:
            text = export(spec, format="kt-cache", db=db, base_dir=workdir,
                          device=(outcome.summary.get("device") or {}).get("id"))
            kt_results.write_kt_cache(cache_file, text, kernel_name=kernel_name,
                                      problem_size=problem_size, tune_params=params,
                                      results=results, param_names=param_names)
        # As Kernel Tuner returns cached configs: without the costs paid by an earlier call.
        for r, s in zip(results, stored):
            if (s.get("finished_at") or 0) < call_started:
                r.update(compile_time=0.0, verification_time=0.0, benchmark_time=0.0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    best = kt_results.best_config(results)
    device_name = (outcome.summary.get("device") or {}).get("name", "")
    if not quiet:
        _print(device_name, results, best, param_names, metrics)
    kept = outcome.summary.get("store") or db
    env = _environment(outcome, device_name, iterations, compiler_options, lang_name,
                       kernel_name, source_text, problem_size, tune_params, best, kept,
                       extra_files)
    kt_results.total_timings(results, env, 1000 * (_time.perf_counter() - started))
    return results, env


# ---------------------------------------------------------------------------------------------
# What tuna does not do

def _refuse_unsupported(*, verify, texmem_args, simulation_mode, observers, objective,
                        objective_higher_is_better, objectives, kernel_source, problem_size):
    if verify is not None:
        raise UserError("verify= (a custom check function) is not supported: tuna compares the "
                        "outputs itself. Pass answer= (the expected outputs, None for inputs) "
                        "with atol=, or run the best configuration yourself and check it")
    if texmem_args:
        raise UserError("texmem_args (CUDA texture memory) is not supported: tuna has no texture "
                        "arguments yet. Pass the data as an ordinary argument")
    if simulation_mode:
        raise UserError("simulation_mode is not supported by tune_kernel. tuna simulates on a "
                        "recorded cache with its own commands: `tuna import cache.json "
                        "--write-spec sim.toml` then `tuna tune sim.toml`, or `tuna compare "
                        "cache.json` to compare strategies (docs/simulation.md)")
    if observers:
        raise UserError("observers are not supported: tuna measures time only (no power, "
                        "energy or NCU metrics); remove observers=")
    if objectives and dict(objectives) != {"time": False}:
        raise UserError("objectives= is not supported: tuna minimises time only")
    if objective not in (None, "time"):
        raise UserError(f"objective='{objective}' is not supported: tuna minimises the kernel's "
                        "time. Compute your objective from results afterwards (metrics= adds it "
                        "to each result)")
    if objective_higher_is_better:
        raise UserError("objective_higher_is_better=True is not supported: tuna minimises time")
    if callable(kernel_source):
        raise UserError("kernel_source as a function (a code generator) is not supported: give "
                        "the code, a file name, or a list of files")
    if callable(problem_size):
        raise UserError("problem_size as a function is not supported: give an int, a string "
                        "(an expression of the tunable parameters) or a tuple of them")


def _warn_ignored(*, log, parallel, compiler):
    if log:
        warnings.warn("tune_kernel: log= is ignored: tuna keeps every result in its store and "
                      "prints its progress on stderr", stacklevel=3)
    if parallel:
        warnings.warn("tune_kernel: parallel= is ignored: tuna compiles configs in parallel "
                      "already and times them one at a time on the device", stacklevel=3)
    if compiler not in (None, "nvcc", "g++", "gcc"):
        warnings.warn(f"tune_kernel: compiler='{compiler}' is ignored: tuna compiles CUDA with "
                      "NVRTC and C/C++ with $TUNA_CXX, $CXX or c++ (set TUNA_CXX to choose)",
                      stacklevel=3)


# ---------------------------------------------------------------------------------------------
# Strategy, store and device

def _strategy(strategy, strategy_options, params, tests) -> Tuple[str, Dict[str, Any]]:
    """tuna's strategy and its budget (max_evals, time) for Kernel Tuner's."""
    options = dict(strategy_options or {})
    name = "brute_force" if strategy is None else strategy
    if not isinstance(name, str):
        raise UserError("strategy must be the name of a strategy; user-defined strategy "
                        "modules are not supported")
    key = name.lower()
    if key in _STRATEGIES:
        tuna_name = _STRATEGIES[key]
    elif key in _SUBSTITUTED:
        tuna_name = "auto"
        warnings.warn(f"tune_kernel: tuna has no '{name}' strategy; running tuna's 'auto' "
                      "strategy (a surrogate-guided search) instead", stacklevel=3)
    elif key in _TUNA_STRATEGIES:
        tuna_name = key
    else:
        raise UserError(f"unknown strategy '{name}'; Kernel Tuner's are "
                        f"{', '.join(list(_STRATEGIES) + _SUBSTITUTED)}, and tuna's own "
                        f"({', '.join(_TUNA_STRATEGIES)}) are accepted too")
    budget: Dict[str, Any] = {}
    if "max_fevals" in options:
        fevals = options.pop("max_fevals")
        if not isinstance(fevals, (int, float)) or fevals < 1:
            raise UserError(f"strategy_options['max_fevals'] must be at least 1, not {fevals!r}")
        budget["max_evals"] = int(fevals)
    elif tuna_name == "exhaustive":
        budget["max_evals"] = 0  # no limit
    if "time_limit" in options:
        limit = options.pop("time_limit")
        if not isinstance(limit, (int, float)) or limit <= 0:
            raise UserError(f"strategy_options['time_limit'] must be a positive number of "
                            f"seconds, not {limit!r}")
        budget["time"] = float(limit)
    if key == "random_sample":
        fraction = options.pop("fraction", 0.1)
        if not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
            raise UserError(f"strategy_options['fraction'] must be in [0, 1], not {fraction!r}")
        if "max_evals" not in budget:
            size = kt_space.count_valid(params, tests)
            if size is None:  # too many configs to count in Python: the Cartesian product
                size = kt_space.product_size(params)
            budget["max_evals"] = max(1, math.ceil(size * fraction))
    if options:
        warnings.warn(f"tune_kernel: strategy_options {sorted(options)} are ignored by tuna's "
                      f"'{tuna_name}' strategy", stacklevel=3)
    return tuna_name, budget


def _store(cache, workdir, kernel_name, params, problem_size):
    """(the tuna store, priors, the Kernel Tuner cache file to write or None)."""
    if not cache:
        # tuna's own store ($TUNA_DB, else ~/.cache/tuna/tuna.db): what is measured is kept, and
        # `tuna show`, `tuna report` and later runs of the same kernel and data can use it.
        return None, [], None
    path = os.path.abspath(os.fspath(cache))
    if not path.endswith(".json"):
        path += ".json"
    stem = path[:-len(".json")]
    db = stem + ".tuna.db"
    if os.path.isfile(path) and not os.path.isfile(db):
        # A cache Kernel Tuner wrote: kept beside (tuna writes its own cache file at `path`)
        # and used as a prior.
        doc = kt_results.read_kt_cache(path)
        kt_results.check_kt_cache(doc, path, kernel_name, list(params), problem_size)
        kept = stem + ".kernel_tuner.json"
        n = 2
        while os.path.exists(kept):
            kept = f"{stem}.kernel_tuner-{n}.json"
            n += 1
        os.replace(path, kept)
        warnings.warn(f"tune_kernel: {path} was written by Kernel Tuner; it is kept as {kept} "
                      "and used as a prior (what was fast there is tried first), and tuna "
                      f"writes its own cache to {path}", stacklevel=3)
    priors = []
    folder = os.path.dirname(stem)
    prefix = os.path.basename(stem) + ".kernel_tuner"
    for f in sorted(os.listdir(folder)):
        if f.startswith(prefix) and f.endswith(".json"):
            doc = kt_results.read_kt_cache(os.path.join(folder, f))
            os.makedirs(os.path.join(workdir, f"prior{len(priors)}"))
            copy = os.path.join(workdir, f"prior{len(priors)}", f)  # its name labels the prior
            with open(copy, "w", encoding="utf-8") as out:
                json.dump(doc, out)
            priors.append((os.path.join(folder, f), copy))
    return db, priors, path


def _device_flags(backend, device, platform) -> Dict[str, str]:
    if backend == "cuda":
        return {"cuda_device": str(device)}
    if backend == "opencl":
        return {"opencl_platform": str(platform), "opencl_device": str(device)}
    return {}


def _run(spec, strategy_name, options, priors):
    """tuna.tune, with the Kernel Tuner caches as priors; a prior tuna cannot use costs a
    warning, not the run."""
    if priors:
        try:
            return tune(spec, strategy=strategy_name, prior=[copy for _, copy in priors],
                        **options)
        except UserError as e:
            if not any(copy in str(e) for _, copy in priors):
                raise
            warnings.warn("tune_kernel: the Kernel Tuner cache "
                          f"{', '.join(p for p, _ in priors)} cannot serve as a prior ({e}); "
                          "tuning without it", stacklevel=3)
    return tune(spec, strategy=strategy_name, **options)


# ---------------------------------------------------------------------------------------------
# What the caller sees

def _print(device_name, results, best, param_names, metrics):
    keys = param_names + ["time"] + list(metrics or {})
    print("Using: " + device_name)
    for r in results:
        print(kt_results.config_line(r, keys))
    if best is not None:
        print("\nBEST PERFORMING CONFIGURATION FOR OBJECTIVE time:")
        print(kt_results.config_line(best, keys))
    else:
        print("no configuration ran correctly")


def _environment(outcome, device_name, iterations, compiler_options, lang, kernel_name,
                 source_text, problem_size, tune_params, best, db, extra_files) -> Dict[str, Any]:
    device = outcome.summary.get("device") or {}
    env: Dict[str, Any] = {
        "device_name": device_name,
        "device_properties": dict(device.get("facts") or {}),
        "iterations": int(iterations),
        "compiler_options": compiler_options,
        "lang": lang,
        "kernel_name": kernel_name,
        "kernel_string": source_text,
        "problem_size": problem_size,
        "tune_params": tune_params,
        "best_config": best,
        "tuna_run_id": outcome.run_id,
        "tuna_strategy": outcome.strategy,
        "tuna_measured": outcome.summary.get("measured"),
        "tuna_reused": outcome.summary.get("reused"),
        # Where the run's time went (compiling, in the bench worker, the device's idle share;
        # docs/json.md, "time_split"): what bench/python/kt_sgemm.py reports as the GPU's use.
        "tuna_time_split": dict(outcome.summary.get("time_split") or {}),
        "tuna_elapsed_s": outcome.summary.get("elapsed_s"),
        "tuna_db": db,
    }
    if extra_files:
        env["kernel_files"] = extra_files
    return env
