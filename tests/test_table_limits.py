"""Tables at their limits: a column of many categories, an encoding too large for
memory, a model whose table is hostile, columns holding one value, rows without
a target at evaluation, and the digits of written predictions."""

import csv
import re
import tracemalloc

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import plainnet_cli, write_prices
from plainnet import cli
from plainnet.data import read_columns
from plainnet.tables import TablePreprocessor


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def read_csv_rows(path) -> list[list[str]]:
    with open(path, newline="") as file:
        return list(csv.reader(file))


def write_cities(path, n: int = 2000, n_cities: int = 300, seed: int = 0):
    """A table whose ``city`` column has ``n_cities`` categories (a few
    frequent, most rare) and whose label depends on ``x``."""
    rng = np.random.default_rng(seed)
    city = np.minimum(rng.zipf(1.3, n), n_cities) - 1
    x = rng.standard_normal(n)
    label = (x > 0).astype(int)
    lines = ["city,x,label"] + [
        f"town{c},{v:.4f},{t}" for c, v, t in zip(city, x, label, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return len(np.unique(city))


# -- many categories --------------------------------------------------------------
def test_a_column_of_many_categories_is_capped_with_a_note(tmp_path):
    n_cities = write_cities(tmp_path / "cities.csv")
    out = ok(
        plainnet_cli(
            "train", "cities.csv", "--target", "label", "--epochs", 3, cwd=tmp_path
        )
    )
    assert n_cities > 100  # the default cap
    note = re.search(
        r"note: column 'city' has (\d+) categories: the 99 most frequent get a "
        r"column each, the other (\d+) \(in (\d+) of 1,600 training rows\) share "
        r"one \(--max-categories 100\)\n",
        out,
    )
    assert note and int(note[1]) - 99 == int(note[2]) <= int(note[3])
    assert "'city' (99 categories and other)" in out
    predictor = pn.Predictor.load(tmp_path / "model.npz")
    assert predictor.network.n_features_in == 100 + 1  # and x
    assert predictor.feature_names[-2] == "city=(other)"
    # a city never seen goes with the rare ones, without a warning
    (tmp_path / "new.csv").write_text("city,x\ntown0,1.5\nnowhere,-1.5\n")
    result = ok(plainnet_cli("predict", "model.npz", "new.csv", cwd=tmp_path))
    assert "warning" not in result
    out = ok(
        plainnet_cli(
            "train",
            "cities.csv",
            "--target",
            "label",
            "--epochs",
            1,
            "--max-categories",
            10,
            "--out",
            "ten.npz",
            cwd=tmp_path,
        )
    )
    assert "'city' (9 categories and other)" in out
    assert pn.Predictor.load(tmp_path / "ten.npz").network.n_features_in == 11


def test_the_cap_keeps_the_most_frequent_and_round_trips():
    cells = ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + ["e", "f", None]
    prep = TablePreprocessor(max_categories=3).fit({"town": cells})
    assert prep.feature_names_out_ == ["town=a", "town=b", "town=(other)"]
    assert prep.grouped_ == [("town", 6, 4, 7)]
    X = prep.transform({"town": ["a", "c", "zzz", None]})
    np.testing.assert_array_equal(X, [[1, 0, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0]])
    again = TablePreprocessor.from_dict(prep.to_dict())
    np.testing.assert_array_equal(
        again.transform({"town": ["b", "f"]}), [[0, 1, 0], [0, 0, 1]]
    )
    named = TablePreprocessor(max_categories=2).fit({"t": ["(other)"] * 3 + ["x", "y"]})
    assert named.feature_names_out_ == ["t=(other)", "t=(other)*"]
    with pytest.raises(ValueError, match="max_categories must be at least 2"):
        TablePreprocessor(max_categories=1)
    with pytest.raises(SystemExit) as usage:
        cli.main(["train", "x.csv", "--target", "y", "--max-categories", "1"])
    assert usage.value.code == 2


def test_an_encoding_larger_than_memory_is_refused_in_one_line(
    tmp_path, monkeypatch, capsys
):
    write_cities(tmp_path / "cities.csv")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("plainnet._memory.available_bytes", lambda: 2**20)  # 1 MiB free
    status = cli.main(["train", "cities.csv", "--target", "label", "--quiet"])
    assert status == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert (
        "plainnet train: error: cities.csv: the encoded table would take 1.54 MiB "
        "(2,000 rows x 101 columns, 100 of them from column 'city'), more than the "
        "1 MiB available; leave that column out (--drop) or lower --max-categories"
    ) in err
    assert not (tmp_path / "model.npz").exists()


def test_main_turns_any_memory_error_into_one_line(tmp_path, monkeypatch, capsys):
    write_prices(tmp_path / "prices.csv")
    monkeypatch.chdir(tmp_path)

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 298. GiB for an array")

    monkeypatch.setattr(pn.Sequential, "fit", no_memory)
    assert cli.main(["train", "prices.csv", "--target", "price"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "plainnet train: error: not enough memory (Unable to allocate 298. GiB for "
        "an array); try fewer rows or columns\n"
    )


def hostile_model(path, n_categories: int) -> None:
    """A model file whose table one-hot encodes one column into
    ``n_categories`` columns: small on disk, huge once encoded."""
    categories = [f"k{i}" for i in range(n_categories)]
    entry = {"name": "c", "kind": "category", "categories": categories}
    entry.update(fill="k0", indicator=False)
    table = {"columns": [entry], "left_out": [], "missing_indicator": False}
    net = pn.Sequential([pn.Dense(n_categories, 2)], seed=0, dtype="float32")
    metadata = {"task": "classify", "target": "y", "classes": ["a", "b"]}
    net.save(path, metadata={**metadata, "table": table})


def test_predict_encodes_a_wide_table_a_block_of_rows_at_a_time(
    tmp_path, monkeypatch, capsys
):
    hostile_model(tmp_path / "wide.npz", 5000)
    cells = np.random.default_rng(0).integers(0, 5000, 2000)
    (tmp_path / "rows.csv").write_text("c\n" + "".join(f"k{c}\n" for c in cells))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("plainnet._memory.BLOCK_BYTES", 2**20)
    whole = 2000 * 5000 * 8  # 80 MB: the matrix at once
    tracemalloc.start()
    try:
        status = cli.main(["predict", "wide.npz", "rows.csv", "--out", "p.csv"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 0, capsys.readouterr().err
    assert peak < whole / 4
    predictor = pn.Predictor.load(tmp_path / "wide.npz")
    expected = predictor.predict({"c": [f"k{c}" for c in cells[:50]]})
    assert [r[0] for r in read_csv_rows(tmp_path / "p.csv")[1:51]] == list(expected)


# -- columns with one value ---------------------------------------------------------
def test_columns_holding_one_value_are_left_out_with_a_note(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(60)
    lines = ["x,country,version,label"] + [
        f"{v:.3f},UK,{'' if i == 7 else 2},{int(v > 0)}" for i, v in enumerate(x)
    ]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    result = plainnet_cli("train", "t.csv", "--target", "label", cwd=tmp_path)
    out = ok(result)
    for name in ("country", "version"):
        assert (
            f"note: left out column '{name}' (the same value in every row); "
            "name it in --features to keep it"
        ) in out
    assert "one-hot encoded" not in out and "constant" not in result.stderr
    assert pn.Predictor.load(tmp_path / "model.npz").input_columns == ["x"]
    # with --missing-indicator, a column's missing cells carry something
    prep = TablePreprocessor(missing_indicator=True).fit(
        read_columns(tmp_path / "t.csv"), target="label"
    )
    assert dict(prep.left_out_) == {"country": "constant"}
    assert "version_missing" in prep.feature_names_out_


# -- evaluate and predict -------------------------------------------------------------
def test_evaluate_notes_the_rows_without_a_target(tmp_path):
    write_prices(tmp_path / "prices.csv")
    ok(
        plainnet_cli(
            "train", "prices.csv", "--target", "price", "--epochs", 5, cwd=tmp_path
        )
    )
    lines = (tmp_path / "prices.csv").read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ","
    lines[9] = lines[9].rsplit(",", 1)[0] + ",NA"
    (tmp_path / "holes.csv").write_text("\n".join(lines) + "\n")
    out = ok(plainnet_cli("evaluate", "model.npz", "holes.csv", cwd=tmp_path))
    assert out.startswith(
        "note: left out 2 row(s) with no 'price' value (line(s) 4, 10)\n78 rows of"
    )


def test_regression_predictions_are_written_in_their_shortest_exact_form(tmp_path):
    write_prices(tmp_path / "prices.csv")
    ok(
        plainnet_cli(
            "train", "prices.csv", "--target", "price", "--epochs", 5, cwd=tmp_path
        )
    )
    ok(
        plainnet_cli(
            "predict", "model.npz", "prices.csv", "--out", "p.csv", cwd=tmp_path
        )
    )
    cells = [row[0] for row in read_csv_rows(tmp_path / "p.csv")[1:]]
    predictor = pn.Predictor.load(tmp_path / "model.npz")
    expected = predictor.predict(predictor.read_rows(tmp_path / "prices.csv").features)
    assert expected.dtype == np.float64
    assert cells == [repr(float(v)) for v in expected]
    assert max(len(c) for c in cells) < 19  # 17 digits were written before


def test_float32_predictions_are_written_as_float32_holds_them(tmp_path):
    pytest.importorskip("sklearn")
    write_prices(tmp_path / "prices.csv")
    table = np.loadtxt(tmp_path / "prices.csv", delimiter=",", skiprows=1)
    model = pn.NeuralNetRegressor(hidden_layer_sizes=(8,), max_epochs=5, random_state=0)
    with pytest.warns(Warning):
        model.fit(table[:, :2], table[:, 2])
    model.save(tmp_path / "small.npz")
    (tmp_path / "x.csv").write_text(
        "x1,x2\n" + "\n".join(f"{a},{b}" for a, b in table[:, :2]) + "\n"
    )
    ok(plainnet_cli("predict", "small.npz", "x.csv", "--out", "p.csv", cwd=tmp_path))
    cells = [row[0] for row in read_csv_rows(tmp_path / "p.csv")[1:]]
    expected = pn.Predictor.load(tmp_path / "small.npz").predict(table[:, :2])
    assert expected.dtype == np.float32  # as the network computed them
    assert cells == [str(v) for v in expected]
    assert all(np.float32(c) == v for c, v in zip(cells, expected, strict=True))
    assert max(len(c) for c in cells) <= 12
