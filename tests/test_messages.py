"""Echoed values stay readable: messages and ``plainnet info`` cut every value
and list to a short length, with a count of the rest."""

import warnings

import numpy as np
import pytest

import plainnet as pn
from plainnet import cli, model_files
from plainnet._messages import listing, shown
from plainnet.preprocessing import Standardizer

#: Longer than any message line plainnet should print.
READABLE = 400


def test_shown_cuts_text_lists_and_other_values_with_a_count():
    assert shown("abc") == "'abc'"
    assert shown("x" * 1000, 10) == "'xxxxxxxxxx'... (1000 characters)"
    assert shown("\x1b[31m") == "'\\x1b[31m'"  # control characters escaped
    assert shown([3, 3]) == "[3, 3]" and shown((3,)) == "(3,)"
    assert shown([3] * 10_000_000).endswith(", ... (10000000 items)]")
    assert len(shown([3] * 10_000_000)) < 100
    assert len(shown(np.arange(10**6).reshape(1000, 1000))) < 100
    assert listing(["a" * 100, "b", "c"], limit=2) == (
        f"{shown('a' * 100, 40)}, 'b', ... (3 in all)"
    )


def test_a_ten_million_item_kernel_size_gives_a_short_message():
    with pytest.raises(ValueError) as caught:
        pn.Conv2D(1, 2, [3] * 10_000_000)
    message = str(caught.value)
    assert len(message) < READABLE and "(10000000 items)" in message, message
    assert message.startswith("Conv2D kernel_size must be a positive int")


def test_a_constant_feature_warning_over_20000_columns_is_one_short_line():
    X = np.ones((4, 20_000))
    for names in (None, [f"feature{i}" for i in range(20_000)]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            Standardizer().fit(X, names)
        (warning,) = caught
        message = str(warning.message)
        assert len(message) < READABLE and "(20000 in all)" in message, message


def test_info_cuts_a_huge_source_field(tmp_path, capsys):
    net = pn.Sequential([pn.Dense(2, 1)], seed=0)
    source = "s" * 10_000_000
    model_files.save(net, tmp_path / "m.npz", metadata={"source": source})
    assert cli.main(["info", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) < READABLE
    (line,) = [line for line in out.splitlines() if line.startswith("trained on:")]
    assert line.endswith("... (10000000 characters)")


def test_info_lists_the_first_columns_of_a_wide_table(tmp_path, capsys):
    n = 2_000
    columns = {f"c{i}": [float(i), float(i + 1), None] for i in range(n)}
    columns["city"] = ["a", "b", "a"]
    table = pn.TablePreprocessor().fit(columns)
    net = pn.Sequential([pn.Dense(len(table.feature_names_out_), 2)], seed=0)
    metadata = {"table": table.to_dict(), "feature_names": table.feature_names_out_}
    model_files.save(net, tmp_path / "wide.npz", metadata=metadata)
    assert cli.main(["info", str(tmp_path / "wide.npz")]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) < 2 * READABLE
    assert f"columns read ({n + 1}): c0 (number" in out
    assert f"... ({n + 1} in all)" in out
