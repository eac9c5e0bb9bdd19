"""The installed wheel runs beside what else the process and the machine have.

The TOML library: 
The wheel is built with TUNA_TOML_HEADER_ONLY (pyproject.toml): toml++ is compiled into the
extension and the bundled tuna binary, so neither needs libtomlplusplus at run time. The GPU
machine has no such library (its -dev package is unpacked into a private prefix only to build),
and a wheel linked against it failed to import there: "libtomlplusplus.so.3: cannot open shared
object file". Checked on the installed package only: the development tree's extension comes from
the main build, which links the shared library on purpose (faster rebuilds).

The C++ runtime: the extension must use the process's shared libstdc++, never carry a copy.
On the H100 machine the wheel's extension came out with libstdc++.a's objects linked in; with
NumPy imported first (pytest collecting, every Kernel Tuner script), the two runtimes' locale
facets disagreed and tuna.tune died of SIGSEGV in its first `ostream << integer`. python/
CMakeLists.txt names the shared runtime on the link line; these tests catch a relapse both by
what the binary defines and by running NumPy and tuna in one process."""
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tuna

PACKAGE = Path(tuna.__file__).resolve().parent


def installed_from_a_wheel():
    return "site-packages" in PACKAGE.parts or "dist-packages" in PACKAGE.parts


@pytest.mark.skipif(shutil.which("ldd") is None, reason="needs ldd")
@pytest.mark.skipif(not installed_from_a_wheel(), reason="the development tree, not a wheel")
def test_the_extension_and_the_binary_need_no_toml_library():
    binaries = sorted(PACKAGE.glob("_core*.so")) + [PACKAGE / "bin" / "tuna"]
    assert len(binaries) == 2 and all(b.exists() for b in binaries), binaries
    for binary in binaries:
        needed = subprocess.run(["ldd", str(binary)], capture_output=True, text=True,
                                check=True).stdout
        assert "tomlplusplus" not in needed, f"{binary.name} links libtomlplusplus:\n{needed}"
        assert "not found" not in needed, f"{binary.name} misses a library:\n{needed}"


# std::locale::classic(): defined by libstdc++ itself, so present only in a binary that carries
# the runtime instead of linking libstdc++.so.6.
CXX_RUNTIME_SYMBOL = "_ZNSt6locale7classicEv"


@pytest.mark.skipif(shutil.which("nm") is None, reason="needs nm (binutils)")
@pytest.mark.skipif(not installed_from_a_wheel(), reason="the development tree, not a wheel")
def test_the_extension_carries_no_copy_of_the_cxx_runtime():
    (extension,) = PACKAGE.glob("_core*.so")
    defined = subprocess.run(["nm", "-D", "--defined-only", str(extension)], capture_output=True,
                             text=True, check=True).stdout
    assert CXX_RUNTIME_SYMBOL not in defined, (
        f"{extension.name} defines libstdc++'s own symbols (a static C++ runtime): it will "
        "clash with the libstdc++.so.6 NumPy or PyTorch load")
    needed = subprocess.run(["ldd", str(extension)], capture_output=True, text=True).stdout
    assert "libstdc++.so.6" in needed, needed


def test_tuning_in_a_process_that_loaded_numpy_first(tmp_path, scale_spec):
    pytest.importorskip("numpy")
    # A child process: a crash must fail this test, not end the whole test session.
    script = textwrap.dedent(f"""
        import numpy  # loads the shared libstdc++ before tuna's extension, as KT scripts do
        import tuna
        result = tuna.tune({scale_spec!r}, strategy="exhaustive", max_evals=0,
                           db={str(tmp_path / "t.db")!r}, quiet=True, base_dir={str(tmp_path)!r})
        print("best", result.best["UNROLL"], result.best["WRONG"])
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=300)
    assert child.returncode == 0, (
        f"exit status {child.returncode} (negative: killed by that signal)\n{child.stderr[-3000:]}")
    assert child.stdout.split()[:1] == ["best"] and child.stdout.split()[2] == "0", child.stdout
