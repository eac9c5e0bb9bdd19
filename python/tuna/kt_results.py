"""tuna's stored results in Kernel Tuner's shapes: the list of result dicts tune_kernel returns,
the failure markers, user metrics, the lines Kernel Tuner prints, and its cache file."""

import json
import math
import os
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from . import kt_expr
from .errors import UserError


class ErrorConfig(str):
    """A failed config's marker, in its result's "__error__" (as Kernel Tuner 1.5 does). A str
    whose text is the class name, so `str(marker)`, `marker == "CompilationFailedConfig"` and
    JSON dumps all read the same."""

    def __new__(cls, text=None):
        return super().__new__(cls, text if text is not None else cls.__name__)

    def __repr__(self):
        return type(self).__name__


class InvalidConfig(ErrorConfig):
    """The config breaks a restriction."""


class CompilationFailedConfig(ErrorConfig):
    """The config did not compile."""


class RuntimeFailedConfig(ErrorConfig):
    """The config failed to run, timed out, or (tuna only) computed a wrong answer."""


def marker_for(status: str) -> ErrorConfig:
    if status == "invalid":
        return InvalidConfig()
    if status == "compile_error":
        return CompilationFailedConfig()
    return RuntimeFailedConfig()  # runtime_error, timeout, wrong_result


def _timestamp(seconds) -> str:
    if not seconds:
        return ""
    return str(datetime.fromtimestamp(seconds, tz=timezone.utc))


def kt_result(r: Dict[str, Any], param_names: List[str]) -> Dict[str, Any]:
    """One tuna Result (docs/json.md) as Kernel Tuner's result dict."""
    config = r.get("config", {})
    out: Dict[str, Any] = {name: config.get(name) for name in param_names}
    resources = r.get("resources") or {}
    times = [t for t in (r.get("times_ms") or []) if t is not None]
    if r.get("status") == "ok":
        out["time"] = sum(times) / len(times) if times else r.get("median_ms")
        out["times"] = times
    else:
        out["__error__"] = marker_for(r.get("status", ""))
    out["compile_time"] = r.get("compile_ms") or 0.0
    out["verification_time"] = resources.get("verification_ms", 0.0)
    out["benchmark_time"] = resources.get("benchmark_ms", sum(times))
    out["timestamp"] = _timestamp(r.get("finished_at"))
    out["strategy_time"] = 0.0
    out["framework_time"] = resources.get("framework_ms", 0.0)
    if r.get("status") != "ok":
        out["tuna_status"] = r.get("status")
        out["tuna_message"] = r.get("message", "")
    return out


def apply_metrics(result: Dict[str, Any], metrics) -> None:
    """Kernel Tuner's user metrics, in order (a later one may read an earlier one), on a result
    that ran: a function of the result dict, or a Python expression over its keys."""
    if not metrics or "__error__" in result:
        return
    glob = kt_expr.python_globals()
    for name, how in metrics.items():
        if callable(how):
            result[name] = how(result)
        else:
            try:
                result[name] = eval(str(how), glob, dict(result))  # as Kernel Tuner does
            except Exception as e:  # noqa: BLE001 - the user's expression failed
                raise UserError(f"metrics['{name}'] = {how!r}: {type(e).__name__}: {e}") \
                    from None
    for key in ("timestamp", "strategy_time", "framework_time"):  # Kernel Tuner's key order
        result[key] = result.pop(key)


def check_metrics(metrics) -> None:
    if metrics is None:
        return
    if not isinstance(metrics, dict):
        raise UserError("metrics must be a dict of name -> function or expression string "
                        "(ordered: a metric may use the ones before it)")
    for name, how in metrics.items():
        if not callable(how) and not isinstance(how, str):
            raise UserError(f"metrics['{name}'] must be a function of the result dict or a "
                            "Python expression string")


def best_config(results: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The result with the lowest "time" among those that ran, as Kernel Tuner picks it."""
    ran = [r for r in results if "__error__" not in r and isinstance(r.get("time"), float)]
    return min(ran, key=lambda r: r["time"]) if ran else None


def config_line(result: Dict[str, Any], keys: List[str]) -> str:
    """Kernel Tuner's compact line: name=value, ..., floats with three decimals."""
    parts = []
    for k, v in result.items():
        if k in keys:
            parts.append(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
    return ", ".join(parts)


def total_timings(results, env, wall_ms: float) -> None:
    totals = {key: sum(r.get(field, 0.0) or 0.0 for r in results)
              for key, field in (("total_framework_time", "framework_time"),
                                 ("total_strategy_time", "strategy_time"),
                                 ("total_compile_time", "compile_time"),
                                 ("total_verification_time", "verification_time"),
                                 ("total_benchmark_time", "benchmark_time"))}
    env.update(totals)
    env["overhead_time"] = wall_ms - sum(totals.values())


def read_kt_cache(path: str) -> Dict[str, Any]:
    """A cache file Kernel Tuner wrote, closed as Kernel Tuner closes an interrupted one."""
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    fixed = text[:-1] if text.endswith(",") else text
    try:
        return json.loads(fixed + "}\n}")
    except ValueError:
        raise UserError(f"cache '{path}' is neither a Kernel Tuner cache file nor a tuna-written "
                        "one; remove it or name another cache") from None


def check_kt_cache(doc, path, kernel_name, param_names, problem_size) -> None:
    """The checks Kernel Tuner makes before continuing from a cache file."""
    if not isinstance(doc, dict) or "cache" not in doc:
        raise UserError(f"cache '{path}' is not a Kernel Tuner cache file (no \"cache\" table)")
    if doc.get("kernel_name") != kernel_name:
        raise UserError(f"cache '{path}' holds results of kernel '{doc.get('kernel_name')}', "
                        f"not '{kernel_name}' (Kernel Tuner refuses it too); name another cache")
    if list(doc.get("tune_params_keys") or []) != list(param_names):
        raise UserError(f"cache '{path}' holds results for the parameters "
                        f"{doc.get('tune_params_keys')}, not {list(param_names)} (Kernel Tuner "
                        "refuses it too); name another cache")
    cached = doc.get("problem_size")
    if cached is not None and _as_list(cached) != _as_list(problem_size):
        raise UserError(f"cache '{path}' holds results for problem_size {cached}, not "
                        f"{problem_size} (Kernel Tuner refuses it too); name another cache")


def _as_list(v):
    if isinstance(v, (list, tuple)):
        return [_as_list(x) for x in v]
    return v.item() if hasattr(v, "item") else v


def write_kt_cache(path: str, exported: str, *, kernel_name, problem_size, tune_params,
                   results: List[Dict[str, Any]], param_names: List[str]) -> None:
    """tuna's kt-cache export, with the header Kernel Tuner would write for this call (the
    problem_size and tune_params as given) and the user's metrics in each entry."""
    doc = json.loads(exported)
    doc["kernel_name"] = kernel_name
    doc["problem_size"] = _json_safe(problem_size)
    doc["tune_params_keys"] = list(param_names)
    doc["tune_params"] = {k: _json_safe(list(v)) for k, v in tune_params.items()}
    doc["objective"] = ["time"]
    by_key = {",".join(str(r[n]) for n in param_names): r for r in results}
    cache = doc.pop("cache", None) or {}
    for key, entry in cache.items():
        r = by_key.get(key)
        if r is not None:  # this call's figures (benchmark_time, metrics) over the export's
            entry.update({k: _json_safe(v) for k, v in r.items()
                          if k not in ("__error__", "tuna_status", "tuna_message")})
    # Kernel Tuner's layout: the header indented, one line per cache entry, closed with "}\n}".
    head = json.dumps(doc, indent="", allow_nan=False)[:-2]
    lines = [json.dumps({k: v}, allow_nan=False)[1:-1] for k, v in cache.items()]
    text = head + ',\n"cache": {\n' + ",\n".join(lines) + "}\n}\n"
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _json_safe(v):
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if hasattr(v, "item") and callable(v.item):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    return str(v)
