"""The `tuna` console script: the bundled binary, with the arguments given."""

import os
import sys

from ._native import bundled_tuna_exe


def main() -> None:
    exe = bundled_tuna_exe()
    if not exe.is_file():
        sys.exit(f"tuna: the tuna binary is missing from the installed package ({exe}); "
                 "reinstall it with `pip install --force-reinstall tuna`")
    # The triton backend compiles with the Triton of the environment tuna was installed in.
    if not os.environ.get("TUNA_PYTHON"):
        os.environ["TUNA_PYTHON"] = sys.executable
    os.execv(exe, [str(exe), *sys.argv[1:]])
