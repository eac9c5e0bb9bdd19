"""Loads the C++ core (tuna._core) on first use, so that `import tuna` stays fast."""

import functools
import os
import sys
from pathlib import Path


def bundled_tuna_exe() -> Path:
    """The tuna binary installed with this package (it runs the compile pool, the bench
    workers and the `tuna` console script)."""
    return Path(os.path.abspath(__file__)).parent / "bin" / "tuna"  # not resolved: the
    # development tree links this file from python/tuna/


def compile_triton_with_this_interpreter():
    """The triton backend compiles kernels with this interpreter's Triton (the environment tuna
    is used from), unless TUNA_PYTHON already names another."""
    if not os.environ.get("TUNA_PYTHON"):
        os.environ["TUNA_PYTHON"] = sys.executable


@functools.lru_cache(maxsize=None)
def core():
    from . import _core  # the C++ extension

    compile_triton_with_this_interpreter()
    exe = bundled_tuna_exe()
    if exe.is_file():
        _core.set_tuna_exe(str(exe))
    return _core


def run_command(args, capture_stdout=True):
    """Runs `tuna ARGS...` in this process: returns (exit code, standard output)."""
    args = [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]
    sys.stdout.flush()
    sys.stderr.flush()
    code, out = core().run(args, capture_stdout)
    if code == 130:
        raise KeyboardInterrupt("tuna: interrupted (the results measured so far are stored)")
    return code, out
