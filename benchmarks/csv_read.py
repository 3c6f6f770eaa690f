"""Reading a CSV file: plainnet's reader against ``pandas.read_csv``, in the
same run.

Generates three tables (default 100 MB each, kept in ``--folder`` for the next
run): ``numbers``, 12 float columns and a 0/1 target, read by ``read_csv``;
``mixed``, 7 float columns (three with missing cells), 2 integer columns, 3
text columns and a text target, read by ``read_columns`` as ``plainnet
train`` reads a table; ``typo``, the mixed table with one typo (``oops``) in a
number column at 70% of its rows, which a reader of columns typed from the
first rows meets late. Each reader runs in a fresh process, the readers
alternating round after round so that load from elsewhere on a shared machine
hits both alike. Printed per table: each round's time ratio plainnet /
pandas and their median, and each reader's peak memory: the growth of the
process's resident memory (``VmHWM`` minus ``VmRSS`` just before reading,
after importing the reader's libraries, pyarrow included), which counts
what NumPy, pandas and pyarrow allocate alike, as a multiple of the table's
values as float64 (rows x columns x 8 bytes). pandas is a benchmark-only
dependency: without it, only plainnet is measured.

    python benchmarks/csv_read.py [--megabytes 100] [--rounds 3] [--folder /tmp]
    python benchmarks/csv_read.py --tables mixed,typo   # one typo, late
    python benchmarks/csv_read.py --engine python   # without pyarrow
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

N_FEATURES = 12

READERS = {
    ("plainnet", "numbers"): (
        "from plainnet.data import read_csv\n"
        "PRELOAD\n"
        "table = read_csv(PATH, target='y', engine=ENGINE)\n"
        "shape = table.X.shape[0], table.X.shape[1]"
    ),
    ("pandas", "numbers"): (
        "frame = pandas.read_csv(PATH)\n"
        "X = frame.drop(columns='y').to_numpy(dtype='float64')\n"
        "shape = X.shape"
    ),
    ("plainnet", "mixed"): (
        "from plainnet.data import read_columns\n"
        "PRELOAD\n"
        "columns = read_columns(PATH, spelled=['label'], engine=ENGINE)\n"
        "shape = columns.n_rows, len(columns.header)"
    ),
    ("pandas", "mixed"): ("frame = pandas.read_csv(PATH)\nshape = frame.shape"),
}
READERS["plainnet", "typo"] = READERS["plainnet", "mixed"]
READERS["pandas", "typo"] = READERS["pandas", "mixed"]
IMPORTS = {"plainnet": "import plainnet", "pandas": "import pandas"}
#: With pyarrow installed, plainnet imports it on its first large file: the
#: import happens before the baseline, as pandas' does.
PRELOAD = (
    "import importlib.util\n"
    "if ENGINE != 'python' and importlib.util.find_spec('pyarrow'):\n"
    "    import pyarrow.csv, pyarrow.compute"
)

MEASURE = """
import time
PATH, ENGINE = {path!r}, {engine!r}
{imports}

def memory(key):
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0

{preload}
before = memory('VmRSS:')
start = time.perf_counter()
{code}
seconds = time.perf_counter() - start
print(seconds, memory('VmHWM:') - before, shape[0], shape[1])
"""


def write_numbers(path: str, megabytes: float, seed: int = 0) -> None:
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


COLORS = ["red", "green", "blue", "black", "white", "silver"]
CITIES = [f"city_{i}" for i in range(60)]


def write_mixed(path: str, megabytes: float, seed: int = 0) -> None:
    """A table as they come: floats with missing cells (empty or ``NA``),
    whole numbers, text categories and a text target."""
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(7)] + ["age", "count", "color", "city", "member"]
    with open(path, "w") as file:
        file.write(",".join([*names, "label"]) + "\n")
        while file.tell() < megabytes * 2**20:
            n = 20000
            X = rng.standard_normal((n, 7)) * 100
            cells = [[f"{v:.6g}" for v in column] for column in X.T]
            for j, word in ((0, ""), (1, ""), (6, "NA")):
                for i in np.flatnonzero(rng.random(n) < 0.02):
                    cells[j][i] = word
            cells.append([str(v) for v in rng.integers(0, 90, n)])
            cells.append([str(v) for v in rng.integers(0, 10000, n)])
            cells.append([COLORS[i] for i in rng.integers(0, len(COLORS), n)])
            cells.append([CITIES[i] for i in rng.integers(0, len(CITIES), n)])
            cells.append(["yes" if v else "no" for v in rng.random(n) < 0.3])
            cells.append([["A", "B", "C"][i] for i in rng.integers(0, 3, n)])
            file.write("\n".join(map(",".join, zip(*cells, strict=True))) + "\n")


def write_typo(path: str, megabytes: float, seed: int = 0) -> None:
    """The mixed table, with ``oops`` for the third column's cell 70% of the
    way through its rows."""
    mixed = path.replace("-typo-", "-mixed-")
    if not os.path.exists(mixed):
        write_mixed(mixed, megabytes, seed)
    with open(mixed) as source:
        lines = source.readlines()
    at = int(0.7 * len(lines))
    cells = lines[at].split(",")
    cells[2] = "oops"
    lines[at] = ",".join(cells)
    with open(path, "w") as file:
        file.writelines(lines)


def run(reader: str, table: str, path: str, engine: str) -> tuple[float, int, int, int]:
    """One read in a fresh process: seconds, peak growth in bytes, shape."""
    code = MEASURE.format(
        path=path,
        engine=engine,
        imports=IMPORTS[reader],
        preload=PRELOAD if reader == "plainnet" else "",
        code=READERS[reader, table].replace("PRELOAD\n", ""),
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    seconds, peak, rows, columns = result.stdout.split()
    return float(seconds), int(peak), int(rows), int(columns)


def measure(table: str, path: str, readers: list[str], rounds: int, engine: str):
    """Every reader's runs, interleaved round by round."""
    runs: dict[str, list[tuple[float, int, int, int]]] = {r: [] for r in readers}
    for _ in range(rounds):
        for reader in readers:
            runs[reader].append(run(reader, table, path, engine))
    return runs


def report(table: str, runs: dict[str, list[tuple[float, int, int, int]]]) -> None:
    rows, columns = runs["plainnet"][0][2:]
    values = rows * columns * 8
    print(
        f"\n{table}: {rows:,} rows x {columns} columns; their values as float64 "
        f"take {values / 2**20:.1f} MB"
    )
    for reader, results in runs.items():
        times = [r[0] for r in results]
        peaks = [r[1] / values for r in results]
        print(
            f"  {reader:9s} time {statistics.median(times):6.2f} s (median), "
            f"peak memory {statistics.median(peaks):.2f}x the values "
            f"(rounds: {', '.join(f'{p:.2f}x' for p in peaks)})"
        )
    if "pandas" in runs:
        ratios = [
            p[0] / q[0] for p, q in zip(runs["plainnet"], runs["pandas"], strict=True)
        ]
        print(
            f"  time plainnet / pandas: median {statistics.median(ratios):.2f}x "
            f"(rounds: {', '.join(f'{r:.2f}x' for r in ratios)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100)
    parser.add_argument("--folder", default=tempfile.gettempdir())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--tables", default="numbers,mixed", help="some of numbers, mixed, typo"
    )
    parser.add_argument(
        "--engine", default="auto", choices=("auto", "pyarrow", "python")
    )
    args = parser.parse_args()
    try:
        import pandas  # noqa: F401

        readers = ["plainnet", "pandas"]
    except ImportError:
        print("pandas is not installed: measuring plainnet only")
        readers = ["plainnet"]
    writers = {"numbers": write_numbers, "mixed": write_mixed, "typo": write_typo}
    for table in args.tables.split(","):
        path = os.path.join(
            args.folder, f"plainnet-csv-bench-{table}-{args.megabytes:g}MB.csv"
        )
        if not os.path.exists(path):
            writers[table](path, args.megabytes)
        print(f"{path}: {os.path.getsize(path) / 2**20:.1f} MB, engine={args.engine}")
        report(table, measure(table, path, readers, args.rounds, args.engine))


if __name__ == "__main__":
    main()
