"""bench/python/kt_sgemm.py's GPU-utilization sampler (the busy-share yardstick of issue 17,
the same for Kernel Tuner and tuna), against a stand-in `nvidia-smi` on PATH: it starts the
sampler with NVML's query, reads every sample printed until the block ends, and averages them as
a share; without nvidia-smi it reports nothing rather than a made-up figure."""
import importlib.util
import os
import stat
import time

import pytest

pytest.importorskip("numpy")  # the script imports it at the top


def load_script(repo):
    spec = importlib.util.spec_from_file_location("kt_sgemm",
                                                  repo / "bench" / "python" / "kt_sgemm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAKE_NVIDIA_SMI = """#!/bin/sh
echo "$@" > "{args}"
echo 50
echo 70
echo 90
exec sleep 30
"""


def test_samples_are_read_until_the_block_ends_and_averaged(repo, tmp_path, monkeypatch):
    script = load_script(repo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "nvidia-smi"
    fake.write_text(FAKE_NVIDIA_SMI.format(args=tmp_path / "args.txt"))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    sampler = script.GpuUtilization(period_ms=100)
    with sampler:
        time.sleep(0.5)  # the tuning call
    assert sampler.samples == [50.0, 70.0, 90.0]
    assert sampler.mean() == pytest.approx(0.7)
    args = (tmp_path / "args.txt").read_text()
    assert "--query-gpu=utilization.gpu" in args and "-lms=100" in args


def test_without_nvidia_smi_there_is_no_figure(repo, tmp_path, monkeypatch):
    script = load_script(repo)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no nvidia-smi
    sampler = script.GpuUtilization()
    with sampler:
        pass
    assert sampler.samples == [] and sampler.mean() is None
