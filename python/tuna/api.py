"""tuna's commands as Python functions: the same flags, checks and messages as the command line
(docs/cli.md), with keyword arguments for flags and Python objects for the JSON it prints
(docs/json.md)."""

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ._native import run_command
from .errors import InternalError, UserError
from .spec_file import is_file_spec, spec_path

# llm={...} keys -> the command line's --llm-* / --hybrid-* flags (docs/llm.md).
_LLM_KEYS = {
    "provider": "--llm-provider", "model": "--llm-model", "base_url": "--llm-base-url",
    "api_key_env": "--llm-api-key-env", "command": "--llm-command",
    "configs_per_round": "--llm-configs-per-round", "rounds": "--llm-rounds",
    "initial_random": "--llm-initial-random", "effort": "--llm-effort",
    "timeout": "--llm-timeout", "compile_timeout": "--llm-compile-timeout",
    "no_structured_output": "--llm-no-structured-output", "fallback": "--llm-fallback",
    "hybrid_turn": "--hybrid-turn", "hybrid_llm_configs": "--hybrid-llm-configs",
    "hybrid_explore": "--hybrid-explore", "hybrid_random": "--hybrid-random",
}


def _flag_values(flag: str, value) -> List[str]:
    """A keyword argument as command-line words: True -> the flag alone, False/None -> nothing,
    a list -> the flag repeated."""
    if value is None or value is False:
        return []
    if value is True:
        return [flag]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out += _flag_values(flag, v)
        return out
    return [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]


def flags(**options) -> List[str]:
    """Keyword arguments as flags: max_evals=50 -> ["--max-evals", "50"]."""
    out = []
    for name, value in options.items():
        out += _flag_values("--" + name.replace("_", "-"), value)
    return out


def llm_flags(llm) -> List[str]:
    if llm is None:
        return []
    if not isinstance(llm, dict):
        raise UserError("llm= takes a dict such as {'model': 'claude-haiku-4-5'} or "
                        "{'provider': 'command', 'command': './answer.sh'}")
    out = []
    for key, value in llm.items():
        if key not in _LLM_KEYS:
            raise UserError(f"llm={{'{key}': ...}}: unknown key; the keys are "
                            + ", ".join(sorted(_LLM_KEYS)))
        out += _flag_values(_LLM_KEYS[key], value)
    return out


def _json_command(args: List[str]) -> Any:
    code, out = run_command(args + ["--json"])
    try:
        return code, json.loads(out)
    except ValueError as e:
        raise InternalError(f"tuna {args[0]} --json printed no JSON document ({e}): "
                            f"{out[:200]!r}") from None


@dataclass
class TuneResult:
    """One tuning run. `best` is the winning config (name -> value), `best_ms` its median time;
    `summary` is the whole `tune --json` document (docs/json.md)."""
    run_id: int
    kernel: str
    device: str
    strategy: str
    best: Optional[Dict[str, Any]]
    best_ms: Optional[float]
    default_ms: Optional[float]
    speedup: Optional[float]
    stop_reason: str
    summary: Dict[str, Any] = field(repr=False)
    _spec: Any = field(default=None, repr=False)
    _db: Optional[str] = field(default=None, repr=False)
    _results: Optional[List[Dict[str, Any]]] = field(default=None, repr=False)

    @property
    def run_results(self) -> List[Dict[str, Any]]:
        """The results of the configs this run considered (measured now, or reused from the
        store), in the order it considered them."""
        by_key = {r.get("key"): r for r in self.results}
        return [by_key[k] for k in self.summary.get("considered_keys", []) if k in by_key]

    @property
    def results(self) -> List[Dict[str, Any]]:
        """Every stored result of this kernel, problem and device (this run's and earlier
        ones'), best first, failures included: dicts as in docs/json.md, "Result"."""
        if self._results is None:
            self._results = _context_results(self._spec, self._db, self.summary)
        return self._results


def _summary_to_result(doc, spec, db) -> TuneResult:
    best = doc.get("best") or None
    default = doc.get("default") or None
    return TuneResult(
        run_id=doc.get("run_id"), kernel=doc.get("kernel", ""),
        device=(doc.get("device") or {}).get("name", ""), strategy=doc.get("strategy", ""),
        best=best["config"] if best else None, best_ms=best["median_ms"] if best else None,
        default_ms=default["median_ms"] if default else None, speedup=doc.get("speedup"),
        stop_reason=doc.get("stop_reason", ""), summary=doc, _spec=spec, _db=db)


def _context_results(spec, db, summary) -> List[Dict[str, Any]]:
    doc = show(spec, db=db, limit=0, failures=True)
    device_id = (summary.get("device") or {}).get("id")
    for context in doc.get("contexts", []):
        if (context.get("device") or {}).get("id") == device_id and \
                context.get("problem") == summary.get("problem"):
            return context.get("results", [])
    return []


def tune(spec, *, strategy=None, max_evals=None, time=None, db=None, llm=None, base_dir=None,
         **options):
    """Tunes the kernel of `spec` (a spec.toml path, its TOML text or a dict of its tables) and
    returns a TuneResult, or a list of them (one per device model) with mixed_devices=True.

    Keyword arguments are `tuna tune` flags with underscores: strategy, max_evals, time (wall
    seconds), db, seed, prior=[files], compile_jobs, run_timeout, quiet, ... (docs/cli.md).
    llm={'model': ..., 'provider': ..., ...} configures the LLM-guided search (docs/llm.md).
    Raises UserError (bad spec or option) or InternalError (a bug in tuna); KeyboardInterrupt
    when Ctrl-C stopped the run (what was measured is stored)."""
    with spec_path(spec, base_dir) as path:
        args = ["tune", str(path)] + flags(strategy=strategy, max_evals=max_evals, time=time,
                                           db=db, **options) + llm_flags(llm)
        _, doc = _json_command(args)
        summaries = doc["models"] if "models" in doc else [doc]
        results = [_summary_to_result(d, spec, db) for d in summaries]
        if not is_file_spec(spec):  # a temporary spec file: read the results while it exists
            for r in results:
                r._results = _context_results(path, db, r.summary)
    return results if "models" in doc else results[0]


def run(spec, config=None, *, db=None, base_dir=None, **options) -> Dict[str, Any]:
    """Runs one config (a dict name -> value, a "NAME=VALUE,..." string, or None for the
    default) and returns the `run --json` document: its "result" is the Result."""
    if isinstance(config, dict):
        config = ",".join(f"{k}={_config_value(v)}" for k, v in config.items())
    with spec_path(spec, base_dir) as path:
        _, doc = _json_command(["run", str(path)] + flags(config=config, db=db, **options))
    return doc


def _config_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def show(spec, *, db=None, limit=20, failures=False, device=None, base_dir=None) -> Dict[str, Any]:
    """The stored results of a kernel (the `show --json` document): per device and problem,
    best first. limit=0 gives all."""
    with spec_path(spec, base_dir) as path:
        _, doc = _json_command(["show", str(path)] + flags(db=db, limit=limit, failures=failures,
                                                            device=device))
    return doc


def report(spec=None, output="report.html", *, run=None, db=None, base_dir=None) -> str:
    """Writes the HTML report of a run (the spec's latest by default) and returns its path."""
    extra = flags(output=output, run=run, db=db)
    if spec is None:
        run_command(["report"] + extra, capture_stdout=False)
    else:
        with spec_path(spec, base_dir) as path:
            run_command(["report", str(path)] + extra, capture_stdout=False)
    return str(output)


def export(spec=None, *, format="header", output=None, kernel=None, device=None, db=None,
           base_dir=None) -> str:
    """Exports the tuned configs (format: header, json, t4 or kt-cache; docs/deploy.md).
    Writes `output` when given and returns its path; otherwise returns the text."""
    extra = flags(format=format, output=output, kernel=kernel, device=device, db=db)
    if spec is None:
        _, text = run_command(["export"] + extra)
    else:
        with spec_path(spec, base_dir) as path:
            _, text = run_command(["export", str(path)] + extra)
    return str(output) if output else text


def compare(recordings, *, strategies=None, runs=None, budgets=None, **options) -> Dict[str, Any]:
    """Runs strategies on recorded search spaces (`compare --json`, docs/simulation.md) and
    returns the document: scores per space, strategy and budget."""
    if isinstance(recordings, (str, os.PathLike)):
        recordings = [recordings]
    join = lambda v: ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v
    _, doc = _json_command(["compare", *[os.fspath(r) for r in recordings]] +
                           flags(strategies=join(strategies), runs=runs, budgets=join(budgets),
                                 **options))
    return doc


def import_recording(recording, *, write_spec=None, source=None, t1=None, db=None) -> str:
    """Loads a recorded search space (Kernel Tuner cache, T4, KTT) into the store
    (`tuna import`); with write_spec, also writes a sim spec that replays it. Returns what the
    command printed."""
    _, text = run_command(["import", os.fspath(recording)] +
                          flags(write_spec=write_spec, source=source, t1=t1, db=db))
    return text


def devices() -> str:
    """The devices tuna sees (`tuna devices`), as text."""
    _, text = run_command(["devices"])
    return text
