"""The installed wheel runs where its build machine's TOML library is absent.

The wheel is built with TUNA_TOML_HEADER_ONLY (pyproject.toml): toml++ is compiled into the
extension and the bundled tuna binary, so neither needs libtomlplusplus at run time. The GPU
machine has no such library (its -dev package is unpacked into a private prefix only to build),
and a wheel linked against it failed to import there: "libtomlplusplus.so.3: cannot open shared
object file". Checked on the installed package only: the development tree's extension comes from
the main build, which links the shared library on purpose (faster rebuilds)."""
import shutil
import subprocess
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
