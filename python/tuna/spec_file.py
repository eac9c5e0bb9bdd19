"""Specs given from Python: a path to a spec.toml, the TOML text, or a dict with the same tables
and keys (docs/spec.md). A dict is written as a spec.toml in a temporary folder for the command,
with its relative file paths made absolute first (relative to `base_dir`, by default the current
folder), so that they mean what they meant where the caller wrote them."""

import contextlib
import json
import math
import os
import re
import tempfile
from pathlib import Path

from .errors import UserError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# Keys naming files: (table, key), and the keys of [[args]] entries.
_KERNEL_PATH_KEYS = ("source", "recording")
_ARG_PATH_KEYS = ("file", "expected")


def _key(name) -> str:
    name = str(name)
    return name if _BARE_KEY.match(name) else json.dumps(name)


def _value(v, where: str) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (str, os.PathLike)):
        return json.dumps(os.fspath(v), ensure_ascii=False)  # a valid TOML basic string
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x, f'{where}.{k}')}"
                                for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, f"{where}[{i}]") for i, x in enumerate(v)) + "]"
    if hasattr(v, "item") and callable(v.item):  # a NumPy scalar
        return _value(v.item(), where)
    raise UserError(f"spec dict: {where} is a {type(v).__name__}; a spec holds strings, numbers, "
                    "booleans, lists and tables (dicts) only")


def to_toml(spec: dict) -> str:
    """The TOML text of a spec dict: a dict value at the top is a [table] (a list of dicts an
    array of tables, as [[args]]), a dict inside a table an inline table."""
    if not isinstance(spec, dict):
        raise UserError(f"a spec must be a dict of tables, not a {type(spec).__name__}")
    lines = []
    for name, body in spec.items():
        if isinstance(body, dict):
            lines.append(f"[{_key(name)}]")
            lines += [f"{_key(k)} = {_value(v, f'{name}.{k}')}" for k, v in body.items()]
        elif isinstance(body, (list, tuple)) and body and all(isinstance(b, dict) for b in body):
            for i, entry in enumerate(body):
                lines.append(f"[[{_key(name)}]]")
                lines += [f"{_key(k)} = {_value(v, f'{name}[{i}].{k}')}" for k, v in entry.items()]
        else:
            lines.append(f"{_key(name)} = {_value(body, name)}")
        lines.append("")
    return "\n".join(lines)


def _absolute(path, base: Path) -> str:
    p = Path(os.fspath(path)).expanduser()
    return str(p if p.is_absolute() else (base / p).resolve())


def with_absolute_paths(spec: dict, base_dir) -> dict:
    """A copy of `spec` whose file keys (kernel.source, kernel.recording, args[].file,
    args[].expected) are absolute."""
    base = Path(base_dir or os.getcwd())
    out = dict(spec)
    kernel = out.get("kernel")
    if isinstance(kernel, dict):
        kernel = dict(kernel)
        for k in _KERNEL_PATH_KEYS:
            if isinstance(kernel.get(k), (str, os.PathLike)) and kernel[k]:
                kernel[k] = _absolute(kernel[k], base)
        out["kernel"] = kernel
    args = out.get("args")
    if isinstance(args, (list, tuple)):
        fixed = []
        for a in args:
            a = dict(a) if isinstance(a, dict) else a
            if isinstance(a, dict):
                for k in _ARG_PATH_KEYS:
                    if isinstance(a.get(k), (str, os.PathLike)) and a[k]:
                        a[k] = _absolute(a[k], base)
            fixed.append(a)
        out["args"] = fixed
    return out


def _text_with_absolute_paths(text: str, base_dir) -> str:
    """TOML text with its file keys made absolute, when Python can parse TOML (3.11+); as it
    is otherwise (its relative paths then need base_dir to be where the command runs)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return text
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text  # tuna's own parser reports the error, with its line
    return to_toml(with_absolute_paths(parsed, base_dir))


def _looks_like_toml(text: str) -> bool:
    return "\n" in text or text.lstrip().startswith("[")


def is_file_spec(spec) -> bool:
    """Whether `spec` names a spec file (rather than being its text or a dict)."""
    return isinstance(spec, os.PathLike) or (isinstance(spec, str) and not _looks_like_toml(spec))


@contextlib.contextmanager
def spec_path(spec, base_dir=None):
    """A path to give the command line for `spec` (a path, TOML text or a dict), valid inside
    the `with` block."""
    if is_file_spec(spec):
        path = Path(os.fspath(spec))
        if not path.exists():
            raise UserError(f"{path}: no such spec file (give a spec.toml path, its TOML text "
                            "or a dict)")
        yield path
        return
    if hasattr(spec, "to_dict") and callable(spec.to_dict):  # tuna.Spec
        spec = spec.to_dict()
    if isinstance(spec, str):
        text = _text_with_absolute_paths(spec, base_dir)
    elif isinstance(spec, dict):
        text = to_toml(with_absolute_paths(spec, base_dir))
    else:
        raise UserError(f"a spec is a spec.toml path, its TOML text, a dict or a tuna.Spec, not a "
                        f"{type(spec).__name__}")
    with tempfile.TemporaryDirectory(prefix="tuna-spec-") as folder:
        path = Path(folder) / "spec.toml"
        path.write_text(text, encoding="utf-8")
        yield path
