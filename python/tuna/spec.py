"""Specs built in Python with small dataclasses, the same tables and keys as spec.toml
(docs/spec.md), for editors that complete field names. `Spec(...).to_dict()` is the dict form
that tuna.tune and the other functions also accept directly.

    spec = tuna.Spec(name="scale", source="scale.cpp", entry="scale",
                     params={"UNROLL": tuna.Param([1, 2, 4, 8], default=1)},
                     problem={"N": 4096},
                     args=[tuna.Arg("out", "f32", count="N", role="output"),
                           tuna.Arg("in", "f32", count="N"),
                           tuna.Arg("n", "i32", value="N")])
    tuna.tune(spec, max_evals=20)

Fields left at None are left out, so tuna's defaults apply."""

from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Union


def _table(obj) -> Dict[str, Any]:
    """The dataclass's fields that were given, as a dict (None: left out)."""
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is not None:
            out[f.metadata.get("key", f.name)] = value
    return out


@dataclass
class Param:
    """One tunable parameter ([params]): `values`, or a `range` (with `step`), or `pow2`."""
    values: Optional[List[Any]] = None
    default: Any = None
    description: Optional[str] = None
    range: Optional[List[int]] = None
    step: Optional[int] = None
    pow2: Optional[List[int]] = None
    type: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return _table(self)


@dataclass
class Arg:
    """One kernel argument ([[args]], in call order): a buffer with `count`, or a scalar with
    `value`. `file` / `expected` name .npy or raw data files."""
    name: str
    type: str
    count: Any = None
    value: Any = None
    role: Optional[str] = None
    init: Optional[str] = None
    range: Optional[List[float]] = None
    file: Optional[str] = None
    expected: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return _table(self)


@dataclass
class Launch:
    """[launch]: grid and block (1 to 3 expressions each), dynamic shared memory, convention."""
    grid: Optional[List[Any]] = None
    block: Optional[List[Any]] = None
    shared_memory: Any = None
    convention: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return _table(self)


@dataclass
class Check:
    """[check]: reference ("default", "kernel", "expected", "none"), tolerances."""
    reference: Optional[str] = None
    kernel: Optional[str] = None
    atol: Optional[float] = None
    rtol: Optional[float] = None

    def to_dict(self) -> Dict[str, Any]:
        return _table(self)


@dataclass
class Spec:
    """A whole spec: [kernel]'s keys as fields, the other tables as fields of their own."""
    name: str
    source: Optional[str] = None
    entry: Optional[str] = None
    backend: Optional[str] = None
    description: Optional[str] = None
    flags: Optional[List[str]] = None
    define_format: Optional[str] = None
    recording: Optional[str] = None
    params: Dict[str, Union[Param, List[Any], Dict[str, Any]]] = field(default_factory=dict)
    problem: Dict[str, Any] = field(default_factory=dict)
    constraints: Dict[str, str] = field(default_factory=dict)
    args: List[Union[Arg, Dict[str, Any]]] = field(default_factory=list)
    launch: Optional[Union[Launch, Dict[str, Any]]] = None
    check: Optional[Union[Check, Dict[str, Any]]] = None
    metrics: Optional[Dict[str, str]] = None
    device: Optional[Dict[str, Any]] = None

    _KERNEL_KEYS = ("name", "backend", "source", "recording", "entry", "description", "flags",
                    "define_format")

    def to_dict(self) -> Dict[str, Any]:
        """The spec as the dict of tables tuna.tune takes (and spec.toml holds)."""
        kernel = {k: getattr(self, k) for k in self._KERNEL_KEYS if getattr(self, k) is not None}
        out: Dict[str, Any] = {"kernel": kernel}
        if self.problem:
            out["problem"] = dict(self.problem)
        out["params"] = {name: _param(p) for name, p in self.params.items()}
        if self.constraints:
            out["constraints"] = dict(self.constraints)
        if self.args:
            out["args"] = [a.to_dict() if isinstance(a, Arg) else dict(a) for a in self.args]
        for table in ("launch", "check", "metrics", "device"):
            value = getattr(self, table)
            if value is not None:
                out[table] = value.to_dict() if hasattr(value, "to_dict") else dict(value)
        return out


def _param(p) -> Dict[str, Any]:
    """A parameter as its [params] entry: a Param, a dict, or a plain list of values."""
    if isinstance(p, Param):
        return p.to_dict()
    if isinstance(p, (list, tuple)):
        return {"values": list(p)}
    return dict(p)
