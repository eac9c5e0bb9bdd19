"""How long `import tuna` takes in a fresh interpreter (issue 16's target: under 0.5 s), next to
an interpreter that imports nothing, and the first call that loads the C++ core.

    build/python-venv/bin/python bench/python/import_time.py [RUNS]

Run it with the interpreter of the environment tuna is installed in (scripts/test-python.sh
makes one). Prints the median and the slowest of RUNS fresh processes (default 20)."""
import statistics
import subprocess
import sys
import time

CASES = [
    ("python -c pass", "pass"),
    ("import tuna", "import tuna"),
    ("import tuna; tuna.__version__ (loads the C++ core)", "import tuna; tuna.__version__"),
]


def wall_seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"{sys.executable}, {runs} fresh processes each")
    for label, code in CASES:
        wall_seconds(code)  # warm the file cache
        times = [wall_seconds(code) for _ in range(runs)]
        print(f"{label:55s} median {statistics.median(times) * 1000:7.1f} ms   "
              f"max {max(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
