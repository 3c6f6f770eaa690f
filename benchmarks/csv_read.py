"""Reading a CSV file: plainnet's column-wise reader against ``pandas.read_csv``.

Generates a CSV of numbers (default 100 MB: 12 feature columns and a 0/1
target), then reads it in fresh processes and reports, per reader, the time (best of
``--repeat`` untraced runs) and the peak memory in one more run under
``tracemalloc`` (which sees NumPy's and Python's allocations, and slows Python
code down, hence the separate runs), against the size of the final float64
array. pandas is a benchmark-only
dependency: without it, only plainnet is measured.

    python benchmarks/csv_read.py [--megabytes 100] [--folder /tmp]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

N_FEATURES = 12

READERS = {
    "plainnet": (
        "from plainnet.data import read_csv\n"
        "table = read_csv(PATH, target='y')\n"
        "shape, nbytes = table.X.shape, table.X.nbytes"
    ),
    "pandas": (
        "import pandas\n"
        "frame = pandas.read_csv(PATH)\n"
        "X = frame.drop(columns='y').to_numpy(dtype='float64')\n"
        "shape, nbytes = X.shape, X.nbytes"
    ),
}

MEASURE = """
import time, tracemalloc
PATH = {path!r}
if {traced}:
    tracemalloc.start()
start = time.perf_counter()
{code}
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] if {traced} else 0
print(seconds, peak, shape[0], shape[1], nbytes)
"""


def write_csv(path: str, megabytes: float, seed: int = 0) -> None:
    """Numbers with 6 significant digits, written block by block."""
    rng = np.random.default_rng(seed)
    header = ",".join([f"x{i}" for i in range(N_FEATURES)] + ["y"]) + "\n"
    with open(path, "w") as file:
        file.write(header)
        while file.tell() < megabytes * 2**20:
            X = rng.standard_normal((20000, N_FEATURES)) * 100
            y = (X[:, 0] > 0).astype(int)
            lines = "\n".join(
                ",".join(f"{v:.6g}" for v in row) + f",{label}"
                for row, label in zip(X, y, strict=True)
            )
            file.write(lines + "\n")


def run(name: str, path: str, traced: bool) -> tuple[float, int, int, int, int]:
    code = MEASURE.format(path=path, code=READERS[name], traced=traced)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    seconds, peak, rows, columns, nbytes = result.stdout.split()
    return float(seconds), int(peak), int(rows), int(columns), int(nbytes)


def measure(name: str, path: str, repeat: int) -> tuple[float, int, int, int, int]:
    """The best untraced time, and the traced run's peak and shape."""
    seconds = min(run(name, path, traced=False)[0] for _ in range(repeat))
    return (seconds, *run(name, path, traced=True)[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100)
    parser.add_argument("--folder", default=tempfile.gettempdir())
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    path = os.path.join(args.folder, f"plainnet-csv-bench-{args.megabytes:g}MB.csv")
    if not os.path.exists(path):
        write_csv(path, args.megabytes)
    print(f"{path}: {os.path.getsize(path) / 2**20:.1f} MB")
    try:
        import pandas  # noqa: F401

        names = ["plainnet", "pandas"]
    except ImportError:
        print("pandas is not installed: measuring plainnet only")
        names = ["plainnet"]
    for name in names:
        seconds, peak, rows, columns, nbytes = measure(name, path, args.repeat)
        print(
            f"{name:9s} {seconds:6.2f} s  peak {peak / 2**20:7.1f} MB = "
            f"{peak / nbytes:.2f}x the float64 array ({rows} x {columns}, "
            f"{nbytes / 2**20:.1f} MB)"
        )


if __name__ == "__main__":
    main()
