"""What ``import plainnet`` costs on top of ``import numpy``, each in a fresh
interpreter, and whether it loads numba (it must not: the compiled kernels
load it when a loop first runs).

    python benchmarks/import_time.py [--rounds 10]

Each round starts one interpreter that imports NumPy and one that imports
plainnet (which imports NumPy), in turn, and times the import inside it.
Printed: the best and the median of the rounds for each, and plainnet's extra
time (best against best, and the median of the rounds' differences) against
the target of at most 150 ms.
"""

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

TARGET_MS = 150.0
SRC = Path(__file__).resolve().parents[1] / "src"
TIMED = (
    "import sys, time\n"
    "sys.path.insert(0, {src!r})\n"
    "start = time.perf_counter()\n"
    "import {module}\n"
    "print(time.perf_counter() - start, 'numba' in sys.modules)\n"
)


def import_time(module: str) -> tuple[float, bool]:
    """Seconds to import ``module`` in a fresh interpreter, and whether numba
    was loaded by then."""
    code = TIMED.format(src=str(SRC), module=module)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), out[1] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"numpy": [], "plainnet": []}
    numba_loaded = False
    for _ in range(args.rounds):
        for module in times:
            seconds, numba = import_time(module)
            times[module].append(seconds)
            numba_loaded |= numba and module == "plainnet"
    for module, ts in times.items():
        print(
            f"import {module:9s} best {min(ts) * 1e3:6.1f} ms   "
            f"median {statistics.median(ts) * 1e3:6.1f} ms"
        )
    extra = (min(times["plainnet"]) - min(times["numpy"])) * 1e3
    rounds = [p - n for p, n in zip(times["plainnet"], times["numpy"], strict=True)]
    print(
        f"plainnet's extra time: {extra:.1f} ms best against best, median of the "
        f"rounds {statistics.median(rounds) * 1e3:.1f} ms (target <= {TARGET_MS:g} ms)"
    )
    loaded = "yes (a defect)" if numba_loaded else "no"
    print(f"numba loaded by import plainnet: {loaded}")


if __name__ == "__main__":
    main()
