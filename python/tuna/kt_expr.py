"""Kernel Tuner's Python expressions (restrictions, grid divisors, problem sizes, shared memory
sizes) in tuna's expression language (docs/expressions.md), and lambdas read back as such
expressions.

Kernel Tuner evaluates these strings with Python's eval after putting each parameter's value in
place of its name. tuna's language reads most of Python's syntax as it is; what this module adds
is a check that a string uses nothing else: it parses the text with Python's own parser and writes
the tree back in tuna's syntax, fully parenthesised, so that precedence can never differ. Anything
tuna cannot express (bitwise operators, attribute access, comprehensions, calls other than
min/max/abs/int/float/ceil/floor/log2) raises Untranslatable, and the caller falls back to
evaluating the expression in Python (kt_space.py)."""

import ast
import builtins
import inspect
import linecache
import math
import sys

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Pow: "**"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
            ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in"}
_BUILTIN_CALLS = {"min", "max", "abs", "int", "float"}
_MATH_CALLS = {"ceil", "floor", "log2"}  # math.ceil, np.ceil, numpy.ceil, ... and bare names
_MATH_MODULES = {"math", "np", "numpy"}
_MAX_LIST = 65535  # tuna's limit on the items of one `in` list


class Untranslatable(Exception):
    """The expression uses Python that tuna's expression language does not have."""


def literal(value) -> str:
    """A Python constant as a tuna literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Untranslatable(f"the number {value!r}")
        return repr(value)
    if isinstance(value, str):
        if any(not (c.isprintable() or c in "\n\t") for c in value):
            raise Untranslatable(f"the string {value!r}")
        escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") \
            .replace("\t", "\\t")
        return f"'{escaped}'"
    if hasattr(value, "item") and callable(value.item):  # a NumPy scalar
        return literal(value.item())
    raise Untranslatable(f"the value {value!r}")


class _Writer:
    """Writes a Python expression tree in tuna's syntax. `names` are the names tuna knows
    (parameters, constants); `constants` are other names with values to put in their place (a
    lambda's closure variables); `subscript` is a lambda's argument: p["x"] stands for x."""

    def __init__(self, names, constants=None, subscript=None):
        self.names = set(names)
        self.constants = dict(constants or {})
        self.subscript = subscript
        self.used = []

    def name(self, name: str) -> str:
        if name in self.names:
            if name not in self.used:
                self.used.append(name)
            return name
        if name in self.constants:
            return literal(self.constants[name])
        raise Untranslatable(f"the name '{name}' (not a tunable parameter)")

    def write(self, node) -> str:
        method = getattr(self, "w_" + type(node).__name__, None)
        if method is None:
            raise Untranslatable(f"Python's {type(node).__name__} syntax")
        return method(node)

    def w_Expression(self, node):
        return self.write(node.body)

    def w_Constant(self, node):
        return literal(node.value)

    def w_Name(self, node):
        return self.name(node.id)

    def w_Subscript(self, node):
        if self.subscript and isinstance(node.value, ast.Name) and \
                node.value.id == self.subscript and isinstance(node.slice, ast.Constant) and \
                isinstance(node.slice.value, str):
            return self.name(node.slice.value)
        raise Untranslatable("indexing")

    def w_BinOp(self, node):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise Untranslatable(f"the operator {type(node.op).__name__}")
        return f"({self.write(node.left)} {op} {self.write(node.right)})"

    def w_UnaryOp(self, node):
        if isinstance(node.op, ast.Not):
            return f"(not {self.write(node.operand)})"
        if isinstance(node.op, ast.USub):
            return f"(-{self.write(node.operand)})"
        if isinstance(node.op, ast.UAdd):
            return f"(+{self.write(node.operand)})"
        raise Untranslatable("the operator ~")

    def w_BoolOp(self, node):
        op = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + op.join(self.write(v) for v in node.values) + ")"

    def w_IfExp(self, node):
        return f"({self.write(node.test)} ? {self.write(node.body)} : {self.write(node.orelse)})"

    def w_Compare(self, node):
        # a < b < c is (a < b and b < c), as in Python; each `in` on its own (tuna cannot chain it)
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            symbol = _COMPARE.get(type(op))
            if symbol is None:
                raise Untranslatable(f"the comparison {type(op).__name__}")
            if symbol in ("in", "not in"):
                parts.append(f"({self.write(left)} {symbol} {self.items(right)})")
            else:
                parts.append(f"({self.write(left)} {symbol} {self.write(right)})")
            left = right
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def items(self, node) -> str:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            if len(node.elts) > _MAX_LIST:
                raise Untranslatable("a list of more than 65,535 items")
            return "[" + ", ".join(self.write(e) for e in node.elts) + "]"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "range" and not node.keywords:
            try:
                bounds = [ast.literal_eval(a) for a in node.args]
                values = range(*bounds)
            except (ValueError, TypeError, SyntaxError):
                raise Untranslatable("range() of non-constant bounds") from None
            if len(values) > _MAX_LIST:
                raise Untranslatable("a range of more than 65,535 values")
            return "[" + ", ".join(str(v) for v in values) + "]"
        raise Untranslatable("`in` of something other than a literal list, tuple or range")

    def w_Call(self, node):
        if node.keywords:
            raise Untranslatable("keyword arguments")
        func = node.func
        if isinstance(func, ast.Name) and (func.id in _BUILTIN_CALLS or func.id in _MATH_CALLS):
            name = func.id
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                func.value.id in _MATH_MODULES and func.attr in _MATH_CALLS:
            name = func.attr
        else:
            raise Untranslatable("a call other than min, max, abs, int, float, ceil, floor, log2")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise Untranslatable("*arguments")
        return f"{name}(" + ", ".join(self.write(a) for a in node.args) + ")"


def translate(text, names, constants=None):
    """A Kernel Tuner expression string in tuna's syntax, and the names it reads (in order of
    first use). Raises Untranslatable, or SyntaxError when the text is not Python."""
    tree = ast.parse(str(text).strip(), mode="eval")
    writer = _Writer(names, constants)
    return writer.write(tree), writer.used


def lambda_body(func):
    """(argument name, the body's source text) of a one-argument lambda, found through the
    source positions of its code (Python 3.11+), and checked by compiling the text again and
    comparing the bytecode; None when that cannot be done."""
    code = getattr(func, "__code__", None)
    if code is None or getattr(func, "__name__", "") != "<lambda>" or \
            not hasattr(code, "co_positions") or code.co_argcount != 1:
        return None
    positions = [p for p in code.co_positions()
                 if None not in p and not (p[0] == p[1] and p[2] == 0 and p[3] == 0)]
    if not positions:
        return None
    first, last = min(p[0] for p in positions), max(p[1] for p in positions)
    start = min(p[2] for p in positions if p[0] == first)
    end = max(p[3] for p in positions if p[1] == last)
    lines = linecache.getlines(code.co_filename)[first - 1:last]
    if len(lines) != last - first + 1:
        return None
    try:  # positions count UTF-8 bytes
        raw = [line.encode("utf-8") for line in lines]
        if first == last:
            text = raw[0][start:end]
        else:
            text = raw[0][start:] + b"".join(raw[1:-1]) + raw[-1][:end]
        text = text.decode("utf-8")
    except (UnicodeError, IndexError):
        return None
    arg = code.co_varnames[0]
    # Compiled inside a function whose parameters are the lambda's free variables, so that
    # closure variables load as they do in the original.
    outer = ", ".join(code.co_freevars)
    try:
        again = compile(f"def _outer({outer}):\n return lambda {arg}: ({text})\n", "<lambda>",
                        "exec")
    except SyntaxError:
        return None
    outer_code = next((c for c in again.co_consts if hasattr(c, "co_code")), None)
    rebuilt = next((c for c in outer_code.co_consts if hasattr(c, "co_code")), None) \
        if outer_code is not None else None
    if rebuilt is None or rebuilt.co_code != code.co_code or \
            rebuilt.co_names != code.co_names or \
            [c for c in rebuilt.co_consts if not hasattr(c, "co_code")] != \
            [c for c in code.co_consts if not hasattr(c, "co_code")]:
        return None
    return arg, text


def translate_lambda(func, names):
    """A lambda restriction that takes the parameters as a dict (`lambda p: p["x"] > 2`) in
    tuna's syntax, with its closure variables as constants; None when it cannot be read back."""
    found = lambda_body(func)
    if found is None:
        return None
    arg, text = found
    try:
        closure = inspect.getclosurevars(func)
    except (TypeError, ValueError):
        return None
    constants = {k: v for k, v in {**closure.globals, **closure.nonlocals}.items()
                 if isinstance(v, (bool, int, float, str))}
    try:
        tree = ast.parse(f"({text})", mode="eval")  # the body may span lines
        writer = _Writer(names, constants, subscript=arg)
        out = writer.write(tree)
    except (SyntaxError, Untranslatable, RecursionError):
        return None
    # The body may use its argument only through p["name"].
    if any(isinstance(n, ast.Name) and n.id == arg for n in ast.walk(tree)
           if not _is_subscript_base(tree, n, arg)):
        return None
    return out, writer.used


def _is_subscript_base(tree, name_node, arg) -> bool:
    for n in ast.walk(tree):
        if isinstance(n, ast.Subscript) and n.value is name_node:
            return True
    return False


# What Kernel Tuner's strings may call when evaluated in Python. Not a sandbox: like Kernel
# Tuner's own eval, this runs the caller's code with the caller's rights.
EVAL_BUILTINS = {k: getattr(builtins, k)
                 for k in ("abs", "min", "max", "int", "float", "round", "len", "range", "sum",
                           "all", "any", "bool", "str", "pow", "divmod")}


def python_globals():
    """Globals for evaluating Kernel Tuner's strings in Python."""
    out = {"__builtins__": EVAL_BUILTINS, "math": math}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        out["np"] = numpy
        out["numpy"] = numpy
    return out
