import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo():
    return REPO


@pytest.fixture
def db(tmp_path):
    """A store of the test's own, so tests never touch ~/.cache/tuna."""
    return str(tmp_path / "tuna.db")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNA_CACHE_DIR", str(tmp_path / "cache"))


SCALE_SOURCE = r"""
// out[i] = 2 * in[i], UNROLL elements per step; WRONG adds 1 (a config that computes a wrong
// answer, which tuna must record as such).
extern "C" void scale(float* out, const float* in, int n) {
  for (int i = 0; i < n; i += UNROLL)
    for (int u = 0; u < UNROLL; ++u) out[i + u] = 2.0f * in[i + u] + WRONG;
}
"""


def scale_spec_dict():
    """The host-backend spec of SCALE_SOURCE as a dict, its source named `scale.cpp` (relative:
    resolved against the spec's base folder). Also used by scripts/device/python-backtrace.sh."""
    return {
        "kernel": {"name": "scale", "backend": "host", "source": "scale.cpp", "entry": "scale",
                   "flags": ["-O1"]},
        "problem": {"N": 4096},
        "params": {"UNROLL": {"values": [1, 2, 4, 8], "default": 1},
                   "WRONG": {"values": [0, 1], "default": 0}},
        "args": [{"name": "out", "type": "f32", "count": "N", "role": "output"},
                 {"name": "in", "type": "f32", "count": "N"},
                 {"name": "n", "type": "i32", "value": "N"}],
    }


@pytest.fixture
def scale_spec(tmp_path):
    """A host-backend spec dict (a C++ kernel written to tmp_path), with a relative source path
    resolved against tmp_path."""
    (tmp_path / "scale.cpp").write_text(SCALE_SOURCE)
    return scale_spec_dict()
