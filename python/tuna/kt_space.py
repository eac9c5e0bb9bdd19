"""Kernel Tuner's tune_params and restrictions as tuna parameters and constraints.

Each restriction becomes one tuna constraint. A string is translated (kt_expr.py); a lambda that
takes the parameters as a dict is read back from its source and translated the same way. What
cannot be translated (a def function, a lambda whose source is unavailable, a string using
Python that tuna's language lacks) is evaluated here, in Python, over the Cartesian product of the
parameters it reads, and written as a table: `KEY in [...]` (or `not in`) over a key that numbers
the combinations of those parameters. That is exact for any deterministic restriction and works
while the product stays under TABULATE_LIMIT configs.

Every restriction also gets a Python test, used to pick the default configuration (tuna needs a
valid one; Kernel Tuner has no default) and to count the valid configs (random_sample's
`fraction`)."""

import inspect
import itertools
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from . import kt_expr
from .errors import UserError

TABULATE_LIMIT = 1_000_000   # configs evaluated in Python for one untranslatable restriction
_TABLE_LIMIT = 200_000       # keys written into one tabulated constraint
_LIST_CHUNK = 65_535         # tuna's limit on the items of one `in` list
SCAN_LIMIT = 1_000_000       # configs scanned for the default and for the space's size


@dataclass
class Constraint:
    name: str
    expr: str                                 # in tuna's expression language
    test: Callable[[Dict], bool]              # the same restriction, evaluated in Python
    origin: str                               # how the restriction was written, for messages


def parameter_values(tune_params) -> Dict[str, list]:
    """tune_params as name -> list of plain Python values, checked as tuna needs them."""
    if not isinstance(tune_params, dict) or not tune_params:
        raise UserError("tune_params must be a dict of parameter name -> list of values, with at "
                        "least one parameter")
    out = {}
    for name, values in tune_params.items():
        if not isinstance(name, str) or not name.isidentifier() or name == "device":
            raise UserError(f"tune_params: {name!r} is not a usable parameter name (letters, "
                            "digits and '_', not starting with a digit, and not 'device')")
        if name in ("grid_size_x", "grid_size_y", "grid_size_z", "time"):
            raise UserError(f"tune_params: '{name}' is a name Kernel Tuner reserves; rename the "
                            "parameter")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise UserError(f"tune_params['{name}'] must be a list of values, not "
                            f"{type(values).__name__}")
        plain = [v.item() if hasattr(v, "item") and callable(v.item) else v for v in values]
        if not plain:
            raise UserError(f"tune_params['{name}'] has no values")
        for v in plain:
            if not isinstance(v, (bool, int, float, str)) or \
                    (isinstance(v, float) and not math.isfinite(v)):
                raise UserError(f"tune_params['{name}'] holds {v!r}; tuna's parameters take "
                                "numbers, strings or booleans")
        kinds = {("bool" if isinstance(v, bool) else "str" if isinstance(v, str) else "number")
                 for v in plain}
        if len(kinds) > 1:
            raise UserError(f"tune_params['{name}'] mixes {' and '.join(sorted(kinds))} values; "
                            "tuna needs one kind per parameter")
        if len(set(plain)) != len(plain):
            raise UserError(f"tune_params['{name}'] lists a value twice: {plain}")
        out[name] = plain
    return out


def product_size(params: Dict[str, list], names=None) -> int:
    return math.prod(len(params[n]) for n in (names if names is not None else params))


def configs(params: Dict[str, list], names=None):
    """Every combination of `names` (all parameters by default), as dicts, in Kernel Tuner's
    order (the last parameter varies fastest)."""
    names = list(params) if names is None else list(names)
    for values in itertools.product(*(params[n] for n in names)):
        yield dict(zip(names, values))


class _ReadRecorder(dict):
    """The dict a callable restriction receives: remembers which parameters it read."""

    def __init__(self, values, read):
        super().__init__(values)
        self._read = read

    def __getitem__(self, key):
        self._read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self._read.add(key)
        return super().__contains__(key)

    def _all(self):
        self._read.update(self.keys())

    def keys(self):
        self._read.update(dict.keys(self))
        return dict.keys(self)

    def values(self):
        self._all()
        return dict.values(self)

    def items(self):
        self._all()
        return dict.items(self)

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def copy(self):
        self._all()
        return dict(self)


def _takes_dict(func) -> bool:
    """Kernel Tuner passes a restriction function the parameters as one dict when it takes one
    argument; a function of several arguments gets them by name."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    positional = [p for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 1 and not any(p.kind == p.VAR_KEYWORD
                                            for p in sig.parameters.values())


def _keyword_names(func, params) -> List[str]:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return list(params)
    if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
        return list(params)
    return [n for n in params if n in sig.parameters]


def _string_test(text: str, code, where: str):
    glob = kt_expr.python_globals()

    def test(config):
        try:
            return bool(eval(code, glob, dict(config)))
        except NameError as e:
            raise UserError(f"{where} '{text}': {e}; a restriction may use the tunable "
                            "parameters' names only") from None
        except Exception:  # noqa: BLE001 - as in tuna: a restriction that cannot be evaluated
            return False   # rejects the config
    return test


def _callable_test(func, call, where: str):
    def test(config):
        try:
            return bool(call(func, config))
        except Exception as e:  # noqa: BLE001 - the user's function failed
            raise UserError(f"{where} raised {type(e).__name__}: {e} for {config}") from None
    return test


def _call_with_dict(func, config):
    return func(config)


def _call_with_keywords(func, config):
    return func(**config)


def constraints_for(restrictions, params: Dict[str, list]) -> List[Constraint]:
    """Kernel Tuner's `restrictions` (None, a string, a callable, or a list of strings,
    callables and (callable, [names]) pairs) as tuna constraints."""
    if restrictions is None:
        return []
    items = list(restrictions) if isinstance(restrictions, (list, tuple)) and \
        not _is_pair(restrictions) else [restrictions]
    out = []
    for i, r in enumerate(items, 1):
        name = f"restriction_{i}"
        where = f"restrictions[{i - 1}]" if len(items) > 1 or \
            isinstance(restrictions, (list, tuple)) else "restrictions"
        out.append(_constraint(r, name, where, params))
    return out


def _is_pair(r) -> bool:
    return isinstance(r, tuple) and len(r) in (2, 3) and callable(r[0]) and \
        isinstance(r[1], (list, tuple))


def _constraint(r, name, where, params) -> Constraint:
    names = set(params)
    if isinstance(r, str):
        try:
            code = compile(r.strip(), where, "eval")
        except SyntaxError as e:
            raise UserError(f"{where} '{r}' is not a Python expression: {e.msg}") from None
        test = _string_test(r, code, where)
        try:
            expr, _ = kt_expr.translate(r, names)
            return Constraint(name, expr, test, r)
        except kt_expr.Untranslatable as e:
            return _tabulated(name, where, r, test, params, reads=None, why=str(e))
    if _is_pair(r):
        func, selected = r[0], list(r[1])
        unknown = [n for n in selected if n not in params]
        if unknown:
            raise UserError(f"{where} names {unknown}, which are not tunable parameters")
        test = _callable_test(func, lambda f, c: f(*(c[n] for n in selected)), where)
        return _tabulated(name, where, repr(func), test, params, reads=selected, why=None)
    if callable(r):
        if _takes_dict(r):
            translated = kt_expr.translate_lambda(r, names)
            test = _callable_test(r, _call_with_dict, where)
            if translated is not None:
                return Constraint(name, translated[0], test, repr(r))
            return _tabulated(name, where, repr(r), test, params, reads="record", why=None,
                              func=r)
        test = _callable_test(r, _call_with_keywords, where)
        return _tabulated(name, where, repr(r), test, params, reads=_keyword_names(r, params),
                          why=None)
    raise UserError(f"{where} is a {type(r).__name__}; a restriction is a string (a Python "
                    "expression over the tunable parameters) or a function of them")


def _tabulated(name, where, origin, test, params, reads, why, func=None) -> Constraint:
    """The restriction evaluated over the Cartesian product of the parameters it reads."""
    size = product_size(params)
    if size > TABULATE_LIMIT:
        because = f" ({why})" if why else ""
        raise UserError(f"{where} cannot be translated into tuna's expression language{because}, "
                        f"and the space has {size:,} configs, more than the "
                        f"{TABULATE_LIMIT:,} tuna evaluates in Python. Write it as a string of "
                        "the form Kernel Tuner accepts (\"block_size_x * tile <= 1024\") using "
                        "+ - * / // % **, comparisons, and/or/not, `in [...]`, `a if c else b` "
                        "and min/max/abs/int/float/ceil/floor/log2 (docs/expressions.md)")
    if reads == "record":
        read = set()
        for config in configs(params):
            func(_ReadRecorder(config, read))
        reads = [n for n in params if n in read]
    elif reads is None:  # a string: the names it mentions
        import ast
        mentioned = {n.id for n in ast.walk(ast.parse(origin.strip(), mode="eval"))
                     if isinstance(n, ast.Name)}
        reads = [n for n in params if n in mentioned]
    reads = list(reads)
    valid, rejected = [], []
    base = {n: params[n][0] for n in params}
    for index, partial in enumerate(configs(params, reads)):
        (valid if test({**base, **partial}) else rejected).append(index)
    if not rejected:
        return Constraint(name, "true", test, origin)
    if not reads or not valid:
        return Constraint(name, "false", test, origin)
    keep = len(valid) <= len(rejected)
    keys = valid if keep else rejected
    if len(keys) > _TABLE_LIMIT:
        raise UserError(f"{where}: tabulating it in Python gives {len(keys):,} combinations of "
                        f"{', '.join(reads)}, more than tuna writes into one constraint "
                        f"({_TABLE_LIMIT:,}); write it as a string (docs/expressions.md)")
    key = _combination_key(reads, params)
    chunks = [keys[i:i + _LIST_CHUNK] for i in range(0, len(keys), _LIST_CHUNK)]
    op, join = ("in", " or ") if keep else ("not in", " and ")
    expr = "(" + join.join(f"({key} {op} [{', '.join(map(str, c))}])" for c in chunks) + ")"
    return Constraint(name, expr, test, origin)


def _combination_key(names, params) -> str:
    """An expression numbering the combinations of `names` in itertools.product order."""
    terms, stride = [], 1
    for n in reversed(names):
        terms.append(_value_index(n, params[n]) + ("" if stride == 1 else f" * {stride}"))
        stride *= len(params[n])
    return "(" + " + ".join(reversed(terms)) + ")"


def _value_index(name, values) -> str:
    """An expression giving the position of the parameter's value in its list."""
    if len(values) == 1:
        return "0"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        lo, step = values[0], values[1] - values[0]
        if step != 0 and all(v == lo + i * step for i, v in enumerate(values)):
            shifted = f"({name} - {lo})" if lo else name
            return f"({shifted} // {step})" if step != 1 else shifted
    # A balanced sum of (NAME == value) * position, so the tree stays shallow.
    terms = [f"(({name} == {kt_expr.literal(v)}) * {i})" for i, v in enumerate(values) if i]
    while len(terms) > 1:
        terms = [f"({terms[i]} + {terms[i + 1]})" if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
    return terms[0]


def first_valid(params, tests, limit=SCAN_LIMIT) -> Optional[Dict]:
    """The first config in Kernel Tuner's order that passes every test, or None."""
    for n, config in enumerate(configs(params)):
        if n >= limit:
            return None
        if all(t(config) for t in tests):
            return config
    return None


def count_valid(params, tests, limit=SCAN_LIMIT) -> Optional[int]:
    """How many configs pass every test, or None when the product exceeds `limit`."""
    if product_size(params) > limit:
        return None
    if not tests:
        return product_size(params)
    return sum(1 for c in configs(params) if all(t(c) for t in tests))
