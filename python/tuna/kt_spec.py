"""Kernel Tuner's description of a kernel as a tuna spec dict (docs/spec.md): the source and its
language, the launch geometry (problem size, grid divisors, block size names, shared memory),
the compiler's flags and defines, and the arguments with their expected outputs as .npy files in
the call's working folder. kernel_tuner.py runs the spec; kt_space.py makes its parameters and
constraints."""

import math
import os
import re
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from . import kt_expr, kt_space
from .errors import UserError

DEFAULT_BLOCK_NAMES = ["block_size_x", "block_size_y", "block_size_z"]
_DEFAULT_BLOCK = [256, 1, 1]           # Kernel Tuner's block size when a name is not tuned
_DIMS = "xyz"
_LANGS = {"CUDA": "cuda", "CUPY": "cuda", "NVCUDA": "cuda", "OPENCL": "opencl", "C": "host",
          "C++": "host"}
_SUFFIX = {"cuda": ".cu", "opencl": ".cl", "host": ".cpp"}
_DTYPES = {"float16": "f16", "float32": "f32", "float64": "f64", "int8": "i8", "int16": "i16",
           "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16", "uint32": "u32",
           "uint64": "u64", "bool": "u8"}


def _looks_like_a_file_name(text: str) -> bool:
    return "\n" not in text and len(text) < 250 and not any(c in text for c in "();{}") and \
        bool(Path(text).suffix)


def source(kernel_source) -> Tuple[Optional[str], str, List[str]]:
    """(the kernel's file, or None for code given as a string; the code; other files)."""
    extra = []
    if isinstance(kernel_source, (list, tuple)):
        if not kernel_source:
            raise UserError("kernel_source is an empty list; its first element must be the "
                            "kernel's file")
        for f in kernel_source[1:]:
            if not os.path.isfile(os.fspath(f)):
                raise UserError(f"kernel_source: {os.fspath(f)}: no such file")
            extra.append(os.path.abspath(os.fspath(f)))
        kernel_source = kernel_source[0]
        if not isinstance(kernel_source, (str, os.PathLike)) or \
                not os.path.isfile(os.fspath(kernel_source)):
            raise UserError(f"kernel_source[0] must be the kernel's file; {kernel_source!r} is "
                            "no file")
    if isinstance(kernel_source, os.PathLike) or (
            isinstance(kernel_source, str) and _looks_like_a_file_name(kernel_source)):
        path = os.fspath(kernel_source)
        if not os.path.isfile(path):
            raise UserError(f"kernel_source: {path}: no such file (give the code as a string, "
                            "or the name of an existing file)")
        with open(path, encoding="utf-8", errors="replace") as f:
            return os.path.abspath(path), f.read(), extra
    if isinstance(kernel_source, str):
        return None, kernel_source, extra
    raise UserError(f"kernel_source is a {type(kernel_source).__name__}; give the code as a "
                    "string, a file name, or a list of files whose first is the kernel's")


def detect_language(code: str) -> str:
    lowered = code.lower()
    if "__global__" in lowered:
        return "CUDA"
    if "__kernel" in lowered:
        return "OpenCL"
    return "C"


def backend_of(lang) -> str:
    key = str(lang).upper()
    if key not in _LANGS:
        raise UserError(f"lang='{lang}' is not supported: tuna tunes CUDA (lang 'CUDA', 'CuPy' "
                        "or 'NVCUDA'), OpenCL ('OpenCL') and C/C++ host code ('C'); HIP, Julia "
                        "and Fortran kernels are not")
    return _LANGS[key]


def block_names(block_size_names, params, backend) -> List[str]:
    if block_size_names is None:
        # Kernel Tuner also takes other spellings of its names (BLOCK_SIZE_X, ...).
        other = sorted((k for k in params if k.lower() in DEFAULT_BLOCK_NAMES and
                        k not in DEFAULT_BLOCK_NAMES), key=str.casefold)
        names = other
        if backend != "host" and not any(k.lower() in DEFAULT_BLOCK_NAMES for k in params):
            warnings.warn("tune_kernel: none of the tunable parameters specify thread block "
                          "dimensions (block_size_x, ...); every block has 256 threads",
                          stacklevel=3)
    else:
        if not isinstance(block_size_names, (list, tuple)) or len(block_size_names) > 3 or \
                not all(isinstance(n, str) and n.isidentifier() for n in block_size_names):
            raise UserError("block_size_names must be a list of at most 3 names")
        names = list(block_size_names)
    return names + DEFAULT_BLOCK_NAMES[len(names):]


def problem_dims(problem_size, params) -> List[Tuple[Optional[int], Optional[str]]]:
    """Three (integer, or None and a tuna expression) pairs: Kernel Tuner pads with 1."""
    items = problem_size if isinstance(problem_size, (list, tuple)) else [problem_size]
    if not 1 <= len(items) <= 3:
        raise UserError(f"problem_size has {len(items)} dimensions; give 1 to 3")
    out = []
    for i, s in enumerate(items):
        if hasattr(s, "item") and callable(s.item):
            s = s.item()
        if isinstance(s, int) and not isinstance(s, bool):
            out.append((s, None))
        elif isinstance(s, str):
            out.append((None, f"int({_expression(s, params, f'problem_size[{i}]')[0]})"))
        else:
            raise UserError(f"problem_size[{i}] is {s!r}; give integers or strings "
                            "(expressions of the tunable parameters)")
    return out + [(1, None)] * (3 - len(out))


def _expression(text, params, where) -> Tuple[str, List[str]]:
    """A Kernel Tuner expression string in tuna's language, and the parameters it reads."""
    try:
        return kt_expr.translate(text, set(params))
    except SyntaxError as e:
        raise UserError(f"{where} '{text}' is not a Python expression: {e.msg}") from None
    except kt_expr.Untranslatable as e:
        raise UserError(f"{where} '{text}' uses {e}, which tuna's expression language lacks "
                        "(docs/expressions.md)") from None


def _function_expression(func, params, where) -> str:
    """A function of the parameters that Kernel Tuner calls per config (`lambda p: 4 * p["BK"]`),
    as a tuna expression: read back from its source like a lambda restriction (kt_expr). tuna
    evaluates launch geometry in C++, so a function it cannot read back is refused."""
    found = kt_expr.translate_lambda(func, set(params))
    if found is None:
        raise UserError(f"{where}: tuna cannot read this function back as an expression; write it "
                        "as a one-line lambda over p[\"name\"] (lambda p: 4 * p[\"BK\"]) or as an "
                        "expression string of the tunable parameters")
    return found[0]


def _divisor(grid_div, default_name, params, where) -> Tuple[str, bool]:
    """Kernel Tuner's grid divisor as a tuna expression, and whether it reads a parameter."""
    if grid_div is None:
        return (default_name, True) if default_name in params else ("1", False)
    if callable(grid_div):
        raise UserError(f"{where} as a function is not supported: give a list of parameter "
                        "names or expressions (strings)")
    items = grid_div if isinstance(grid_div, (list, tuple)) else [grid_div]
    terms, reads = [], False
    for item in items:
        if hasattr(item, "item") and callable(item.item):
            item = item.item()
        if item is None:
            continue
        if isinstance(item, int) and not isinstance(item, bool):
            terms.append(str(item))
        elif isinstance(item, str):
            expr, used = _expression(item, params, where)
            terms.append(f"int({expr})")
            reads = reads or bool(used)
        elif callable(item):
            terms.append(f"int({_function_expression(item, params, where)})")
            reads = True
        else:
            raise UserError(f"{where}: {item!r} is neither a name, an expression nor an integer")
    return (" * ".join(terms) if terms else "1"), reads


def threads_constraint(names, params, backend) -> Optional[kt_space.Constraint]:
    """Kernel Tuner's limit on the threads of a block (1024 for C code, the device's on GPUs)."""
    tuned = [n for n in names if n in params]
    if not tuned:
        return None
    factors = [f"int({n})" if n in params else str(d) for n, d in zip(names, _DEFAULT_BLOCK)]
    limit = "device.max_threads_per_block" if backend != "host" else "1024"

    def test(config):  # 1024 stands for the device's limit when choosing the default
        threads = 1
        for n, d in zip(names, _DEFAULT_BLOCK):
            try:
                threads *= int(config[n]) if n in config else d
            except (TypeError, ValueError):
                return False
        return threads <= 1024
    return kt_space.Constraint("block_size_fits", f"{' * '.join(factors)} <= {limit}", test,
                               "the thread block limit")


def _problem_constants(problem_size, dims, params) -> Dict[str, int]:
    """The integer problem sizes given, as [problem] constants (part of the store's key)."""
    given = len(problem_size) if isinstance(problem_size, (list, tuple)) else 1
    return {f"problem_size_{_DIMS[i]}": size for i, (size, _) in enumerate(dims[:given])
            if size is not None and f"problem_size_{_DIMS[i]}" not in params}


def launch_geometry(dims, names, grid_divs, params, smem_args, backend, constants=None):
    """[launch] (None on the host) and the -D flags Kernel Tuner adds for untuned block sizes
    and for grid sizes that no parameter changes."""
    constants = constants or {}
    flags = []
    for name, d in zip(names, _DEFAULT_BLOCK):
        if name not in params:
            flags.append(f"-D{name}={d}")
    grid, block = [], []
    for i, ((size, size_expr), div, name, d) in enumerate(zip(dims, grid_divs, names,
                                                             _DEFAULT_BLOCK)):
        divisor, reads = _divisor(div, name, params, f"grid_div_{_DIMS[i]}")
        numerator = size_expr if size_expr is not None else \
            f"problem_size_{_DIMS[i]}" if f"problem_size_{_DIMS[i]}" in constants else str(size)
        if size_expr is None and not reads and _is_int_product(divisor):
            value = max(1, math.ceil(size / math.prod(_int_terms(divisor))))
            grid.append(value)
            flags.append(f"-Dgrid_size_{_DIMS[i]}={value}")
        else:
            grid.append(f"ceil({numerator} / ({divisor}))")
        block.append(f"int({name})" if name in params else d)
    if backend == "host":
        if smem_args:
            warnings.warn("tune_kernel: smem_args is ignored for C code", stacklevel=4)
        return None, flags
    launch = {"grid": grid, "block": block, "convention": "blocks"}
    if smem_args:
        launch["shared_memory"] = _shared_memory(smem_args, params)
    return launch, flags


def _is_int_product(text: str) -> bool:
    return all(t.strip().isdigit() for t in text.split("*"))


def _int_terms(text: str) -> List[int]:
    return [int(t) for t in text.split("*")]


def _shared_memory(smem_args, params) -> Any:
    if not isinstance(smem_args, dict):
        raise UserError("smem_args must be a dict such as {'size': 4096}")
    other = [k for k in smem_args if k != "size"]
    if other:
        warnings.warn(f"tune_kernel: smem_args keys {other} are ignored (only 'size' is "
                      "supported)", stacklevel=5)
    size = smem_args.get("size", 0)
    if hasattr(size, "item") and callable(size.item):
        size = size.item()
    if callable(size):
        return f"int({_function_expression(size, params, 'smem_args[size]')})"
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    if isinstance(size, str):
        return f"int({_expression(size, params, 'smem_args[size]')[0]})"
    raise UserError(f"smem_args['size'] is {size!r}; give an integer or an expression string")


# ---------------------------------------------------------------------------------------------
# The spec

def _safe_name(kernel_name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "_", kernel_name.split("<")[0].strip()) or "kernel"
    return base if re.match(r"[A-Za-z_]", base) else "k_" + base


def _entry(kernel_name: str, params) -> str:
    """The kernel's name, with the parameters in its template arguments as {NAME}."""
    if "<" not in kernel_name:
        return kernel_name
    head, tail = kernel_name.split("<", 1)
    return head + "<" + re.sub(r"[A-Za-z_][A-Za-z0-9_]*",
                               lambda m: "{" + m.group(0) + "}" if m.group(0) in params
                               else m.group(0), tail)


def build_spec(kernel_name, backend, source_file, source_text, workdir, params, default,
               constraints, problem_size, dims, names, grid_divs, smem_args, arguments, answer,
               atol, compiler_options, defines, np, cmem_args=None) -> Dict[str, Any]:
    """The spec dict for tuna.tune; data files are written to `workdir`."""
    if not isinstance(kernel_name, str) or not kernel_name.strip():
        raise UserError("kernel_name must be the name of the kernel function")
    name = _safe_name(kernel_name)
    if source_file is None:
        source_file = os.path.join(workdir, name + _SUFFIX[backend])
        with open(source_file, "w", encoding="utf-8") as f:
            f.write(source_text)
    problem = _problem_constants(problem_size, dims, params)
    launch, geometry_flags = launch_geometry(dims, names, grid_divs, params, smem_args, backend,
                                             problem)
    flags = _compiler_flags(compiler_options) + _define_flags(defines, params, geometry_flags)
    spec: Dict[str, Any] = {
        "kernel": {"name": name, "backend": backend, "source": source_file,
                   "entry": _entry(kernel_name.strip(), params), "flags": flags},
    }
    if problem:
        spec["problem"] = problem
    spec["params"] = {n: {"values": v, "default": default[n]} for n, v in params.items()}
    if constraints:
        spec["constraints"] = {c.name: c.expr for c in constraints}
    args, expected = _arguments(arguments, answer, workdir, np)
    args += constant_arguments(cmem_args, backend, workdir, {a["name"] for a in args}, np)
    if args:
        spec["args"] = args
    if launch is not None:
        spec["launch"] = launch
    if expected:
        # numpy.allclose's rtol, which Kernel Tuner uses; tuna scales it by the largest
        # magnitude in the output rather than by each element (docs/python.md).
        spec["check"] = {"reference": "expected", "atol": float(atol), "rtol": 1e-5}
    else:
        spec["check"] = {"reference": "none"}
    return spec


def _compiler_flags(compiler_options) -> List[str]:
    if compiler_options is None:
        return []
    if isinstance(compiler_options, str):
        return [compiler_options]
    if not all(isinstance(o, str) for o in compiler_options):
        raise UserError("compiler_options must be a list of strings")
    return list(compiler_options)


def _define_flags(defines, params, geometry_flags) -> List[str]:
    """Kernel Tuner defines the block and grid sizes and kernel_tuner=1 (tuna defines every
    tunable parameter itself), unless `defines` names what to define instead."""
    if defines is None:
        return geometry_flags + ["-Dkernel_tuner=1"]
    if not isinstance(defines, dict):
        raise UserError("defines must be a dict of name -> value")
    out = []
    for k, v in defines.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise UserError(f"defines: {k!r} is not a valid identifier")
        if callable(v):
            raise UserError(f"defines['{k}'] as a function is not supported: tuna passes each "
                            "tunable parameter as -DNAME=VALUE; derive the value in the code "
                            f"(#define {k} ...)")
        if isinstance(v, str) and any(t in params for t in
                                      re.findall(r"[A-Za-z_][A-Za-z0-9_]*", v)):
            raise UserError(f"defines['{k}'] = '{v}' reads tunable parameters, which tuna "
                            "cannot put into a define; write `#define " + k + " (" + v + ")` in "
                            "the code instead (each parameter is defined already)")
        if hasattr(v, "item") and callable(v.item):
            v = v.item()
        out.append(f"-D{k}={v}")
    return out


def _arguments(arguments, answer, workdir, np):
    """[[args]] for Kernel Tuner's arguments: arrays as .npy files read with init = "file";
    with an answer, the expected output as another file and the role "inout"."""
    if not isinstance(arguments, (list, tuple)):
        raise UserError("arguments must be a list: NumPy arrays for arrays, NumPy scalars "
                        "(numpy.int32(n), numpy.float32(x)) for scalars")
    if answer is not None:
        if not isinstance(answer, (list, tuple)):
            raise UserError("answer must be a list parallel to arguments: the expected output "
                            "array, or None, for each argument")
        if len(answer) != len(arguments):
            raise UserError(f"answer has {len(answer)} entries but arguments has "
                            f"{len(arguments)}; give one per argument (None for those not "
                            "checked)")
    args, any_expected = [], False
    for i, arg in enumerate(arguments):
        name = f"arg{i}"
        expected = answer[i] if answer is not None else None
        if isinstance(arg, np.ndarray):
            dtype = _dtype(arg.dtype, f"arguments[{i}]")
            order, data = _elements(arg, f"arguments[{i}]", np)
            path = os.path.join(workdir, f"{name}.npy")
            np.save(path, data)
            entry = {"name": name, "type": dtype, "init": "file", "file": path}
            if expected is not None:
                entry["role"] = "inout"
                entry["expected"] = _expected_file(expected, data, arg, order, i, workdir,
                                                   np)
                any_expected = True
            args.append(entry)
        elif isinstance(arg, (np.generic, bool, int, float)) and \
                not isinstance(arg, (np.str_, np.bytes_, np.void)):
            if expected is not None:
                raise UserError(f"answer[{i}] is given, but arguments[{i}] is a scalar (passed "
                                "by value, so the kernel cannot write it); set answer[{i}] to "
                                "None")
            args.append(_scalar(name, arg, i, np))
        else:
            raise UserError(f"arguments[{i}] is a {type(arg).__name__}; tune_kernel takes NumPy "
                            "arrays and NumPy scalars (numpy.int32(n), numpy.float32(x)). "
                            "Convert it with numpy.asarray(...) or numpy.float32(...)")
    return args, any_expected


def _elements(arg, where, np):
    """(the order, the array's elements as a native-endian 1-D array in that order): the
    elements in the array's memory order, which is what Kernel Tuner hands the kernel (a
    Fortran-ordered array stays column-major); bool as uint8."""
    order = "F" if arg.flags.f_contiguous and not arg.flags.c_contiguous else "C"
    data = np.ascontiguousarray(np.ravel(arg, order=order))
    data = data.astype(data.dtype.newbyteorder("=")) if not data.dtype.isnative else data
    if arg.dtype == np.bool_:
        data = data.view(np.uint8)
    if data.size == 0:
        raise UserError(f"{where} is an empty array")
    return order, data


def constant_arguments(cmem_args, backend, workdir, taken, np) -> List[Dict[str, Any]]:
    """[[args]] with role = "constant" for Kernel Tuner's cmem_args ({symbol: NumPy array or
    scalar}): the data as a .npy file, copied into the global `symbol` of the compiled code
    before the runs instead of being passed to the kernel. After the ordinary arguments, whose
    order (and seeds) they leave as they are."""
    if cmem_args is None:
        return []
    if not isinstance(cmem_args, dict):
        raise UserError("cmem_args must be a dict of {name of a __constant__ symbol: NumPy array "
                        "or scalar}, such as {'d_filter': filter}")
    if cmem_args and backend == "opencl":
        raise UserError("cmem_args is for CUDA constant memory (and tuna also fills globals of "
                        "C code); in OpenCL a __constant buffer is an ordinary kernel argument, "
                        "as Kernel Tuner requires too: pass the data in `arguments` and declare "
                        "the parameter __constant in the kernel")
    out = []
    for i, (symbol, value) in enumerate(cmem_args.items()):
        where = f"cmem_args[{symbol!r}]"
        if not isinstance(symbol, str) or not symbol.isidentifier():
            raise UserError(f"cmem_args: {symbol!r} is not the name of a symbol; the keys name "
                            "the __constant__ variables of the kernel's code, such as 'd_filter'")
        data = _constant_data(value, where, np)
        name = symbol
        while name in taken:
            name = "cmem_" + name
        taken.add(name)
        path = os.path.join(workdir, f"cmem{i}.npy")
        np.save(path, data)
        out.append({"name": name, "type": _dtype(data.dtype, where), "init": "file",
                    "file": path, "role": "constant", "symbol": symbol})
    return out


def _constant_data(value, where, np):
    """A cmem_args value as a 1-D array of its elements: an array's elements in memory order; a
    scalar as one element of its type (Python's int as int32, or int64 when too large, float as
    float32, as for `arguments`)."""
    if isinstance(value, np.ndarray):
        _dtype(value.dtype, where)
        return _elements(value, where, np)[1]
    if isinstance(value, np.generic) and not isinstance(value, (np.str_, np.bytes_, np.void)):
        _dtype(value.dtype, where)
        return _elements(np.asarray([value]), where, np)[1]
    if isinstance(value, bool):
        return np.asarray([int(value)], dtype=np.uint8)
    if isinstance(value, int):
        return np.asarray([value], dtype=np.int32 if -2**31 <= value < 2**31 else np.int64)
    if isinstance(value, float):
        return np.asarray([value], dtype=np.float32)
    raise UserError(f"{where} is a {type(value).__name__}; give a NumPy array or a NumPy "
                    "scalar (numpy.float32(x)), as for arguments")


def _dtype(dtype, where) -> str:
    name = dtype.name
    if name not in _DTYPES:
        raise UserError(f"{where} has dtype {name}; tuna's buffers are float16/32/64, "
                        "int8..int64, uint8..uint64 and bool")
    return _DTYPES[name]


def _expected_file(expected, data, arg, order, i, workdir, np) -> str:
    if not isinstance(expected, np.ndarray):
        raise UserError(f"answer[{i}] is a {type(expected).__name__}; give a NumPy array (or "
                        "None to leave the argument unchecked)")
    if expected.size != arg.size:
        raise UserError(f"answer[{i}] has {expected.size} elements but arguments[{i}] has "
                        f"{arg.size}")
    # Kernel Tuner compares both flattened in row-major order; the file holds the expected
    # values in the argument's memory order, as the kernel writes them.
    values = np.ravel(expected.reshape(-1).reshape(arg.shape), order=order).astype(data.dtype)
    path = os.path.join(workdir, f"expected{i}.npy")
    np.save(path, values)
    return path


def _scalar(name, value, i, np) -> Dict[str, Any]:
    if isinstance(value, np.generic):
        if isinstance(value, np.bool_):
            return {"name": name, "type": "u8", "value": int(value)}
        type_name = _DTYPES.get(value.dtype.name)
        if type_name is None:
            raise UserError(f"arguments[{i}] is a numpy.{value.dtype.name} scalar; tuna's "
                            "scalars are float16/32/64, int8..int64 and uint8..uint64")
        return {"name": name, "type": type_name, "value": value.item()}
    # Plain Python numbers (Kernel Tuner asks for NumPy scalars): int as int32 (int64 when it
    # does not fit), float as float32, the types kernels most often take.
    if isinstance(value, bool):
        return {"name": name, "type": "i32", "value": int(value)}
    if isinstance(value, int):
        fits = -2**31 <= value < 2**31
        return {"name": name, "type": "i32" if fits else "i64", "value": value}
    return {"name": name, "type": "f32", "value": float(value)}
