"""tuna: an autotuner for compute kernels (CUDA, OpenCL, C++), from Python.

    import tuna
    result = tuna.tune("examples/host/matmul/spec.toml", max_evals=50)
    print(result.best, result.best_ms)

Entry points: tune, run, show, report, export, compare, devices (the command line's commands);
specs as a spec.toml path, its text, a dict, or tuna.Spec (dataclasses: Param, Arg, Launch, Check);
tune_kernel (Kernel Tuner's calling convention). Errors: tuna.UserError, tuna.InternalError.
docs/python.md has the rest. The C++ core loads on first use, so this import is cheap.
"""

from .api import (TuneResult, compare, devices, export, import_recording, report, run, show,
                  tune)
from .errors import InternalError, TunaError, UserError
from .spec import Arg, Check, Launch, Param, Spec


def __getattr__(name):
    if name == "__version__":
        from ._native import core
        return core().version
    if name == "tune_kernel":  # loaded on first use, like the core
        from .kernel_tuner import tune_kernel
        return tune_kernel
    raise AttributeError(f"module 'tuna' has no attribute {name!r}")


__all__ = ["tune", "run", "show", "report", "export", "compare", "devices", "import_recording",
           "tune_kernel", "TuneResult", "Spec", "Param", "Arg", "Launch", "Check",
           "TunaError", "UserError", "InternalError"]
