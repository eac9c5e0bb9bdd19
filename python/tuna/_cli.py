"""The `tuna` console script: the bundled binary, with the arguments given."""

import os
import sys

from ._native import bundled_tuna_exe, compile_triton_with_this_interpreter


def main() -> None:
    exe = bundled_tuna_exe()
    if not exe.is_file():
        sys.exit(f"tuna: the tuna binary is missing from the installed package ({exe}); "
                 "reinstall it with `pip install --force-reinstall tuna`")
    compile_triton_with_this_interpreter()
    os.execv(exe, [str(exe), *sys.argv[1:]])
