"""Compile one configuration of a Triton kernel for tuna's Triton backend.

tuna's compile child runs this script with the interpreter the user chose (TUNA_PYTHON, else
python3). The C++ side embeds the text of this file and runs it as `python3 -c TEXT`, so the
script cannot look at __file__ or import anything beside itself: the standard library and
Triton only.

Protocol: one JSON request on stdin, one JSON object as the LAST line of stdout. Triton and the
user's module may print before it; the caller reads only the last line. The exit status is 0
whenever an answer was printed, compile errors included; a nonzero status means this script
itself crashed (the traceback is on stderr).

Requests:

  {"query": "version"}
      -> {"ok": true, "triton_version", "python", "executable"}

  {"query": "compile", "source": "/abs/kernel.py", "kernel": "name",
   "args": [{"name", "type", "pointer", "value"?}, ...],   the spec's [[args]] in order
   "constexprs": {NAME: value},        config parameters and problem constants
   "options": {"num_warps": 8, ...},   Triton compile options
   "target": {"backend": "cuda", "arch": 90, "warp_size": 32, "max_shared"?: bytes},
   "cubin": "/abs/out.cubin", "ptx"?: "/abs/out.ptx"}
      -> {"ok": true, "name", "triton_version", "num_warps", "num_stages", "warp_size",
          "num_ctas", "cluster_dims", "shared", "runtime_args", "scratch", "entry_params",
          "launch_cooperative_grid", "launch_pdl", "tma_descriptors", "compile_ms"}
      -> {"ok": false, "fatal": false, "error_class": "compile_error" | "out_of_resources",
          "message", "log"}                           (this configuration only)
      -> {"ok": false, "fatal": true, "message", "fix"}   (every configuration would fail)

Optional request keys: `target.max_shared` makes a kernel that needs more shared memory an
out_of_resources answer (Triton itself checks only when it loads the kernel on a device);
`ptx` also writes the PTX there.

How the spec's arguments reach the kernel: a scalar argument whose name is a tl.constexpr
parameter of the kernel becomes that constexpr (it is compiled in, not passed); the other
arguments take the kernel's remaining parameters in order. `runtime_args` lists the indexes of
the spec's arguments that are passed at launch, in the order of the compiled entry's
parameters; `scratch` lists the pointers Triton's own launcher appends after them.

Launching as Triton's launcher does: blocks of 32 * num_warps threads, `shared` bytes of
dynamic shared memory (opted in above 48 KiB), a grid of programs times cluster_dims in each
dimension with a cluster of cluster_dims when it is not [1, 1, 1]; a scratch pointer of size 0
is null, otherwise it points at size * programs * num_ctas bytes aligned to `align`.
"""

import importlib.util
import hashlib
import inspect
import json
import os
import re
import sys
import tempfile
import time
import traceback

# tuna's element types and Triton's names for them, as scalars and as pointer targets.
TRITON_TYPES = {
    "f16": "fp16", "f32": "fp32", "f64": "fp64",
    "i8": "i8", "i16": "i16", "i32": "i32", "i64": "i64",
    "u8": "u8", "u16": "u16", "u32": "u32", "u64": "u64",
}
INTEGER_TYPES = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"}

# The limit on the `log` field: the C++ side stores it with the result, and a failed
# configuration of a big kernel can print the whole PTX (hundreds of kilobytes).
LOG_LIMIT = 32768


class Fatal(Exception):
    """A problem that every configuration would hit: the kernel file, the spec, the install."""

    def __init__(self, message, fix):
        super().__init__(message)
        self.message = message
        self.fix = fix


def reply(obj):
    sys.stdout.flush()
    sys.stdout.write("\n" + json.dumps(obj) + "\n")
    sys.stdout.flush()


def clip(text, limit=LOG_LIMIT):
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + "\n[... %d characters left out ...]\n" % (len(text) - limit) + text[-half:]


def import_triton():
    """Import Triton, or explain which interpreter lacked it."""
    # TRITON_INTERPRET=1 makes @triton.jit return interpreter objects that cannot be compiled;
    # this script exists to compile, so the variable is dropped before Triton reads it.
    os.environ.pop("TRITON_INTERPRET", None)
    try:
        import triton  # noqa: F401
        return triton
    except Exception as e:  # an ImportError, or a broken install failing in its own way
        raise Fatal(
            "cannot import triton with %s (Python %s): %s: %s"
            % (sys.executable, sys.version.split()[0], type(e).__name__, e),
            "install Triton for this interpreter (pip install triton), or set TUNA_PYTHON to an "
            "interpreter that has it")


def version_reply():
    triton = import_triton()
    return {"ok": True, "triton_version": triton.__version__,
            "python": sys.version.split()[0], "executable": sys.executable}


# ---------------------------------------------------------------------------------------------
# Loading the user's file and finding the kernel


def load_module(path):
    if not os.path.isfile(path):
        raise Fatal("Triton source '%s' does not exist or is not a file" % path,
                    "check [kernel] source in the spec (relative to the spec's folder)")
    folder = os.path.dirname(os.path.abspath(path))
    # The file's folder goes first on sys.path so that it can import its siblings.
    if folder not in sys.path:
        sys.path.insert(0, folder)
    # A name of our own, so that a file called `triton.py` or `json.py` shadows nothing;
    # registered in sys.modules before running, as an import would (dataclasses and
    # Triton's source lookup read it there).
    digest = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:12]
    name = "tuna_triton_%s_%s" % (os.path.splitext(os.path.basename(path))[0], digest)
    name = re.sub(r"\W", "_", name)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise Fatal("%s:%s: syntax error: %s" % (path, e.lineno, e.msg),
                    "fix the Python syntax of the kernel file")
    except Exception as e:
        where = traceback.extract_tb(e.__traceback__)
        inside = [f for f in where if os.path.abspath(f.filename) == os.path.abspath(path)]
        line = (":%d" % inside[-1].lineno) if inside else ""
        raise Fatal("importing %s%s failed: %s: %s" % (path, line, type(e).__name__, e),
                    "the kernel file must import cleanly with %s" % sys.executable)
    return module


def unwrap(obj, jit_class):
    """Peel @triton.autotune / @triton.heuristics wrappers down to the @triton.jit function.

    Returns (jit function, heuristics outermost first) or (None, []) for anything else. The
    autotuner's own configs are ignored: tuna's configuration replaces them. Heuristics are
    kept because they compute constexprs the kernel needs."""
    heuristics = []
    seen = 0
    while obj is not None and not isinstance(obj, jit_class) and seen < 16:
        values = getattr(obj, "values", None)
        if isinstance(values, dict) and all(callable(v) for v in values.values()):
            heuristics.append(values)
        obj = getattr(obj, "fn", None)
        seen += 1
    return (obj, heuristics) if isinstance(obj, jit_class) else (None, [])


def jit_functions(module, jit_class):
    """Names of the module's @triton.jit functions, wrappers noted."""
    names = []
    for key, value in vars(module).items():
        fn, _ = unwrap(value, jit_class)
        if fn is None:
            continue
        names.append(key if fn is value else "%s (wrapped in %s)" % (key, type(value).__name__))
    return names


def find_kernel(module, path, kernel, jit_class):
    obj = getattr(module, kernel, None)
    fn, heuristics = unwrap(obj, jit_class)
    if fn is not None:
        return fn, heuristics
    have = jit_functions(module, jit_class)
    listing = ", ".join(have) if have else "none"
    if obj is None:
        message = "%s has no function named '%s'; its @triton.jit functions: %s" % (path, kernel, listing)
    else:
        message = ("'%s' in %s is a %s, not a @triton.jit function; its @triton.jit functions: %s"
                   % (kernel, path, type(obj).__name__, listing))
    return Fatal(message, "set [kernel] entry in the spec to one of the @triton.jit functions")


# ---------------------------------------------------------------------------------------------
# From the spec's arguments and the configuration to Triton's signature, constexprs, hints


def def_line(fn):
    """(file name, line of the `def`) of a @triton.jit function. Triton's compile errors count
    lines from the `def` (its source text starts there); decorators come before it."""
    lines, first = inspect.getsourcelines(fn.fn)
    skip = next((i for i, text in enumerate(lines) if re.match(r"\s*(async\s+)?def\s", text)), 0)
    return os.path.basename(inspect.getsourcefile(fn.fn)), first + skip


def where(fn):
    try:
        return "%s:%d" % def_line(fn)
    except Exception:
        return getattr(fn, "__name__", "kernel")


def annotation_of(param):
    """The scalar or pointer type a runtime parameter is annotated with ('' when none is).

    Triton names it in its own spelling ("i64", "*fp16", "*kfp16" for a const pointer; 3.2
    knows only integers); anything else is left unchecked."""
    text = getattr(param, "annotation_type", "") or ""
    if text.startswith("*k"):
        text = "*" + text[2:]
    return text if re.fullmatch(r"\*?(fp|bf|i|u)\d+", text) else ""


def plan_launch(fn, heuristics, request, kernel):
    """Map the spec's arguments onto the kernel's parameters.

    Returns (signature, constexprs, hinted, runtime_args): Triton's signature by parameter
    name, the constexpr values by name, the indexes of the parameters that get the
    divisible-by-16 hint, and the spec arguments passed at launch."""
    args = request.get("args", [])
    config = request.get("constexprs", {})
    params = list(fn.params)
    constexpr_names = {p.name for p in params if p.is_constexpr}
    for a in args:
        if a.get("type") not in TRITON_TYPES:
            raise Fatal("argument '%s' has type '%s', which the Triton backend cannot pass"
                        % (a.get("name"), a.get("type")),
                        "use one of %s" % ", ".join(sorted(TRITON_TYPES)))

    # A scalar named after a constexpr parameter is compiled in, as Triton's JIT would do
    # for a value passed to a tl.constexpr parameter.
    folded = {a["name"]: a for a in args if not a.get("pointer") and a.get("name") in constexpr_names}
    passed = [i for i, a in enumerate(args) if a["name"] not in folded]
    runtime = [p for p in params if not p.is_constexpr]
    if len(passed) != len(runtime):
        def names(items):
            return ", ".join(items) if items else "none"
        note = ""
        if folded:
            note = " (%s compiled in as constexprs)" % ", ".join(sorted(folded))
        raise Fatal(
            "kernel '%s' (%s) has %d runtime parameters (%s) but the spec passes %d arguments "
            "(%s)%s" % (kernel, where(fn), len(runtime), names([p.name for p in runtime]),
                        len(passed), names([args[i]["name"] for i in passed]), note),
            "the spec's [[args]] fill the kernel's non-constexpr parameters in order: add or "
            "remove [[args]], or mark compile-time parameters tl.constexpr")

    signature, hinted = {}, []
    for p, i in zip(runtime, passed):
        a = args[i]
        ty = ("*" if a.get("pointer") else "") + TRITON_TYPES[a["type"]]
        declared = annotation_of(p)
        if declared and declared != ty:
            raise Fatal("parameter '%s' of kernel '%s' is annotated %s but the spec's argument "
                        "'%s' is %s" % (p.name, kernel, declared, a["name"], ty),
                        "make the spec's type match the annotation (or drop the annotation)")
        signature[p.name] = ty
        # Triton's JIT marks pointers (whose buffers are at least 16-byte aligned: tuna's come
        # from cuMemAlloc) and integers divisible by 16, unless the kernel opted out with
        # do_not_specialize; the hint is what lets loads vectorise and tiles skip masks.
        if getattr(p, "do_not_specialize", False) or getattr(p, "do_not_specialize_on_alignment", False):
            continue
        value = a.get("value")
        if a.get("pointer") or (a["type"] in INTEGER_TYPES and isinstance(value, int)
                                and not isinstance(value, bool) and value % 16 == 0):
            hinted.append(p.num)
        # Integers equal to 1 stay runtime parameters. Triton's JIT would compile them in as
        # constants (and drop them from the launch), but a value that changes between problems
        # must not change the entry's parameter list, and the gain is a multiply by one.

    constexprs = {}
    for p in params:
        if p.is_constexpr:
            signature[p.name] = "constexpr"
            if p.name in folded:
                constexprs[p.name] = folded[p.name].get("value")
            elif p.name in config:
                constexprs[p.name] = config[p.name]
    # @triton.heuristics rules compute constexprs from the launch's arguments. They fill only
    # the names the configuration leaves open: a value tuna tunes must not be overridden.
    # They see what a launch would show them: scalars, constexprs, None for buffers.
    known = {p.name: p.default for p in params if p.is_constexpr and p.has_default}
    known.update(constexprs)
    for p, i in zip(runtime, passed):
        known[p.name] = None if args[i].get("pointer") else args[i].get("value")
    for values in heuristics:
        for name, rule in values.items():
            if name in constexpr_names and name not in constexprs:
                try:
                    constexprs[name] = known[name] = rule(dict(known))
                except Exception as e:
                    raise Fatal("the @triton.heuristics rule for '%s' failed: %s: %s"
                                % (name, type(e).__name__, e),
                                "heuristics here see scalars and constexprs only (buffers are "
                                "None); compute '%s' from those, or make it a spec parameter" % name)
    for p in params:
        if p.is_constexpr and p.name not in constexprs:
            if p.has_default:
                constexprs[p.name] = p.default
            else:
                raise Fatal("kernel '%s' (%s) declares '%s: tl.constexpr' but the configuration "
                            "has no value for it" % (kernel, where(fn), p.name),
                            "add a parameter or a problem constant named '%s' to the spec, or give "
                            "it a default in the kernel's signature" % p.name)
    return signature, constexprs, hinted, passed


def make_source(fn, signature, constexprs, hinted, backend):
    """Build Triton's ASTSource for the API of the installed version."""
    from triton.compiler import ASTSource
    accepted = inspect.signature(ASTSource.__init__).parameters
    if "constexprs" in accepted:
        # Triton 3.3 and later: the signature names every parameter ("constexpr" for those
        # compiled in), attributes are keyed by (parameter index,) paths.
        hint = backend.parse_attr("D") if hasattr(backend, "parse_attr") else [["tt.divisibility", 16]]
        attrs = {(i,): hint for i in hinted}
        return ASTSource(fn=fn, signature=signature, constexprs=constexprs, attrs=attrs)
    # Triton 3.2: the signature holds only runtime parameters, constants are keyed by name,
    # and the hints travel in an AttrsDescriptor.
    from triton.backends.compiler import AttrsDescriptor
    runtime = {k: v for k, v in signature.items() if v != "constexpr"}
    attrs = AttrsDescriptor.from_hints({i: 16 for i in hinted})
    return ASTSource(fn=fn, signature=runtime, constants=constexprs, attrs=attrs)


# ---------------------------------------------------------------------------------------------
# Compiling, and making one line of an error


class CapturedOutput:
    """Send file descriptors 1 and 2 to a temporary file: MLIR diagnostics and ptxas logs are
    written there by Triton's C++ code and subprocesses, not raised with the exception."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.file = tempfile.TemporaryFile(mode="w+b")
        self.saved = (os.dup(1), os.dup(2))
        os.dup2(self.file.fileno(), 1)
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        os.close(self.saved[0])
        os.close(self.saved[1])
        self.file.seek(0)
        self.text = self.file.read().decode("utf-8", "replace")
        self.file.close()
        # What Triton said still reaches stderr, where the caller logs it.
        if self.text:
            sys.stderr.write(self.text)
            sys.stderr.flush()
        return False


def source_line(path, fn, err):
    """The file line of a CompilationError: its node's line counts from the function's first."""
    node = getattr(err, "node", None)
    lineno = getattr(node, "lineno", None)
    if lineno is None:
        return None
    src = getattr(err, "src", None)
    # The error may come from a @triton.jit helper the kernel called: find whose source it is.
    owner = fn
    if src is not None and getattr(fn, "src", None) != src:
        for value in vars(sys.modules[fn.fn.__module__]).values():
            if getattr(value, "src", None) == src and hasattr(value, "fn"):
                owner = value
                break
    try:
        file, first = def_line(owner)
    except Exception:
        return None
    return "%s:%d:%d" % (file, first + lineno - 1, getattr(node, "col_offset", 0) + 1)


def summarise(err, captured, path, fn):
    """(error_class, one-line message) for an exception raised while compiling."""
    from triton.compiler.errors import CompilationError
    text = str(err)
    if type(err).__name__ == "OutOfResources":
        return "out_of_resources", text.splitlines()[0] if text else "out of resources"
    if isinstance(err, CompilationError):
        # The innermost CompilationError names the offending line; outer ones name the calls.
        inner = err
        while isinstance(inner.__cause__, CompilationError):
            inner = inner.__cause__
        what = inner.error_message or ""
        if not what and inner.__cause__ is not None:
            what = "%s: %s" % (type(inner.__cause__).__name__, inner.__cause__)
        what = " ".join(what.split()) or "compilation failed"
        at = source_line(path, fn, inner)
        return "compile_error", ("%s: %s" % (at, what)) if at else what
    lines = (captured + "\n" + text).splitlines()
    if type(err).__name__ == "PTXASError":
        errors = [l.strip() for l in lines if "ptxas" in l and "error" in l.lower()]
        resource = any("too much shared data" in l or "too many resources" in l for l in errors)
        first = errors[0] if errors else "ptxas failed"
        return ("out_of_resources" if resource else "compile_error"), first
    # MLIR pass failures raise a bare RuntimeError; the reason is a diagnostic on stderr.
    diagnostics = [l.strip() for l in lines if re.search(r"\berror\b:", l)]
    if diagnostics:
        return "compile_error", diagnostics[0]
    last = [l.strip() for l in text.splitlines() if l.strip()]
    return "compile_error", "%s: %s" % (type(err).__name__, last[-1] if last else "no message")


def entry_param_count(ptx, name):
    match = re.search(r"\.entry\s+%s\s*\(([^)]*)\)" % re.escape(name), ptx)
    if match is None:
        return None
    return len(re.findall(r"\.param\b", match.group(1)))


def write_atomically(path, data):
    # The compile pool may be killed mid-write on its timeout; a rename leaves no half file.
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def compile_reply(request):
    triton = import_triton()
    from triton.backends.compiler import GPUTarget
    from triton.runtime.jit import JITFunction
    from triton.compiler.compiler import make_backend

    for key in ("source", "kernel", "cubin", "target"):
        if key not in request:
            raise Fatal("the compile request has no '%s'" % key, "this is a bug in tuna's Triton backend")
    path = request["source"]
    kernel = request["kernel"]
    module = load_module(path)
    found = find_kernel(module, path, kernel, JITFunction)
    if isinstance(found, Fatal):
        raise found
    fn, heuristics = found

    t = request["target"]
    target = GPUTarget(t.get("backend", "cuda"), t["arch"], t.get("warp_size", 32))
    try:
        backend = make_backend(target)
    except Exception as e:
        raise Fatal("Triton %s has no compiler for %s: %s" % (triton.__version__, target, e),
                    "this Triton build does not support the device")

    options = dict(request.get("options", {}))
    known = set(vars(backend.parse_options({})))
    unknown = sorted(k for k in options if k not in known)
    if unknown:
        raise Fatal("Triton %s has no compile option %s" % (triton.__version__, ", ".join(unknown)),
                    "launch options are num_warps, num_stages, num_ctas and maxnreg; rename the "
                    "parameter or remove it")

    signature, constexprs, hinted, runtime_args = plan_launch(fn, heuristics, request, kernel)
    src = make_source(fn, signature, constexprs, hinted, backend)

    start = time.perf_counter()
    try:
        with CapturedOutput() as captured:
            compiled = triton.compile(src, target=target, options=options)
    except Exception as e:
        error_class, message = summarise(e, captured.text, path, fn)
        log = captured.text + "\n" + "".join(traceback.format_exception(type(e), e, e.__traceback__))
        return {"ok": False, "fatal": False, "error_class": error_class, "message": message,
                "log": clip(log)}
    compile_ms = (time.perf_counter() - start) * 1000.0

    md = compiled.metadata
    name = md.name
    max_shared = t.get("max_shared")
    if max_shared is not None and md.shared > max_shared:
        return {"ok": False, "fatal": False, "error_class": "out_of_resources",
                "message": "out of resource: shared memory, required %d bytes, the device allows %d"
                           % (md.shared, max_shared),
                "log": "Triton %s compiled '%s' with %d bytes of shared memory"
                       % (triton.__version__, name, md.shared)}

    # The pointers Triton's launcher appends after the kernel's arguments, in order; a Triton
    # without them (3.2) has neither field.
    scratch = []
    for kind in ("global", "profile"):
        size = getattr(md, kind + "_scratch_size", None)
        if size is not None:
            scratch.append({"kind": kind, "size": int(size),
                            "align": int(getattr(md, kind + "_scratch_align", 1) or 1)})

    ptx = compiled.asm.get("ptx") if hasattr(compiled.asm, "get") else None
    entry_params = entry_param_count(ptx, name) if ptx else None
    expected = len(runtime_args) + len(scratch)
    if ptx and entry_params != expected:
        raise Fatal("Triton %s compiled '%s' with %s entry parameters, but tuna expects %d (%d "
                    "arguments and %d scratch pointers): this Triton passes arguments in a way "
                    "tuna does not know" % (triton.__version__, name, entry_params, expected,
                                            len(runtime_args), len(scratch)),
                    "use a Triton release tuna supports (3.2 to 3.9 are known)")

    cubin = compiled.asm["cubin"]
    write_atomically(request["cubin"], cubin)
    if request.get("ptx") and ptx:
        write_atomically(request["ptx"], ptx.encode())

    num_ctas = int(getattr(md, "num_ctas", 1))
    # Triton 3.2 records the cluster shape; later releases launch clusters of num_ctas along x.
    cluster = list(getattr(md, "cluster_dims", None) or (num_ctas, 1, 1))
    return {
        "ok": True,
        "name": name,
        "triton_version": triton.__version__,
        "num_warps": int(md.num_warps),
        "num_stages": int(getattr(md, "num_stages", 0)),
        "warp_size": int(getattr(md, "warp_size", target.warp_size)),
        "num_ctas": num_ctas,
        "cluster_dims": [int(c) for c in cluster],
        "shared": int(md.shared),
        "runtime_args": runtime_args,
        "scratch": scratch,
        "entry_params": entry_params,
        "launch_cooperative_grid": bool(getattr(md, "launch_cooperative_grid", False)),
        "launch_pdl": bool(getattr(md, "launch_pdl", False)),
        "tma_descriptors": bool(getattr(md, "tensordesc_meta", None)),
        "compile_ms": round(compile_ms, 1),
    }


def main():
    raw = sys.stdin.read()
    try:
        request = json.loads(raw)
        if not isinstance(request, dict):
            raise ValueError("not a JSON object")
    except ValueError as e:
        reply({"ok": False, "fatal": True, "message": "the request on stdin is not JSON: %s" % e,
               "fix": "this is a bug in tuna's Triton backend"})
        return
    try:
        query = request.get("query")
        if query == "version":
            reply(version_reply())
        elif query == "compile":
            reply(compile_reply(request))
        else:
            raise Fatal("unknown query '%s'" % query, "this is a bug in tuna's Triton backend")
    except Fatal as f:
        reply({"ok": False, "fatal": True, "message": f.message, "fix": f.fix})


if __name__ == "__main__":
    main()
