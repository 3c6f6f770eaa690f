"""Messy tables on the command line and through the API: text categories,
missing cells, id and free-text columns, label spellings, and the acceptance
test against a scikit-learn pipeline."""

import csv
import io
import warnings

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import plainnet_cli
from plainnet.cli import build_parser
from plainnet.cli.train_fit import EpochLine
from plainnet.data import read_columns
from plainnet.errors import DataError
from plainnet.tables import TablePreprocessor
from titanic import titanic_rows, write_titanic


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def write_split(folder, n=900, seed=0):
    """train.csv and test.csv: a stratified 75/25 split of the Titanic-like
    table; returns the test rows' indices and all rows."""
    from sklearn.model_selection import train_test_split

    header, rows = titanic_rows(n, seed)
    survived = [row[1] for row in rows]
    train, test = train_test_split(
        np.arange(n), test_size=0.25, stratify=survived, random_state=0
    )
    for name, index in (("train.csv", train), ("test.csv", test)):
        lines = [",".join(header)] + [",".join(rows[i]) for i in index]
        (folder / name).write_text("\n".join(lines) + "\n")
    return test, rows


# -- acceptance -----------------------------------------------------------------
def test_titanic_with_only_target_matches_a_scikit_learn_pipeline(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("sklearn")
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    test, rows = write_split(tmp_path)
    out = ok(plainnet_cli("train", "train.csv", "--target", "Survived", cwd=tmp_path))
    assert "left out column 'PassengerId'" in out and "left out column 'Name'" in out
    assert "--features" in out  # how to keep them
    predicted = ok(
        plainnet_cli(
            "predict", "model.npz", "test.csv", "--id", "PassengerId", cwd=tmp_path
        )
    )
    table = csv_rows(predicted)
    assert table[0] == ["PassengerId", "Survived"]
    assert [r[0] for r in table[1:]] == [rows[i][0] for i in test]
    truth = np.array([rows[i][1] for i in test])
    ours = np.mean(np.array([r[1] for r in table[1:]]) == truth)

    numbers = ["Pclass", "Age", "SibSp", "Parch", "Fare"]
    categories = ["Sex", "Embarked"]
    prepare = ColumnTransformer(
        [
            (
                "n",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numbers,
            ),
            (
                "c",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categories,
            ),
        ]
    )
    train_frame = pd.read_csv(tmp_path / "train.csv")
    test_frame = pd.read_csv(tmp_path / "test.csv")
    scores = []
    for seed in range(3):
        pipeline = make_pipeline(prepare, MLPClassifier(random_state=seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning
            pipeline.fit(train_frame[numbers + categories], train_frame["Survived"])
        predicted = pipeline.predict(test_frame[numbers + categories])
        scores.append(np.mean(predicted == test_frame["Survived"].to_numpy()))
    assert ours >= np.mean(scores) - 0.02, (ours, scores)

    evaluated = ok(plainnet_cli("evaluate", "model.npz", "test.csv", cwd=tmp_path))
    assert f"accuracy: {ours:.4f}" in evaluated
    assert "ROC AUC" in evaluated and "precision" in evaluated


def test_predict_ignores_other_columns_with_a_note_and_writes_probabilities(
    tmp_path,
):
    write_titanic(tmp_path / "t.csv", n=200)
    ok(plainnet_cli("train", "t.csv", "--target", "Survived", cwd=tmp_path))
    result = plainnet_cli(
        "predict",
        "model.npz",
        "t.csv",
        "--id",
        "PassengerId",
        "--proba",
        cwd=tmp_path,
    )
    table = csv_rows(ok(result))
    assert table[0] == ["PassengerId", "Survived", "proba_0", "proba_1"]
    assert "ignored column(s) 'Name', 'Ticket', 'Cabin'" in result.stderr
    probabilities = np.array([[float(p) for p in r[2:]] for r in table[1:]])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_missing_cells_at_prediction_are_filled_and_unseen_categories_warned(
    tmp_path,
):
    write_titanic(tmp_path / "t.csv", n=200)
    ok(plainnet_cli("train", "t.csv", "--target", "Survived", cwd=tmp_path))
    (tmp_path / "new.csv").write_text(
        "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n"
        "3,male,,0,0,,X\n1,female,30,NA,0,80,\n2,alien,40,1,1,20,X\n"
    )
    result = plainnet_cli("predict", "model.npz", "new.csv", cwd=tmp_path)
    assert len(csv_rows(ok(result))) == 4
    warnings_shown = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings_shown) == 1, result.stderr
    assert "3 cell(s) hold categories not seen in training" in warnings_shown[0]


def test_class_labels_keep_their_spelling(tmp_path):
    rng = np.random.default_rng(0)
    labels = ["007", "7", "0010"]
    lines = ["x,label"] + [
        f"{i % 3 + rng.normal(0, 0.1):.3f},{labels[i % 3]}" for i in range(60)
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    out = ok(
        plainnet_cli(
            "train", "d.csv", "--target", "label", "--lr", "0.05", cwd=tmp_path
        )
    )
    assert "3 classes" in out
    classes = pn.Predictor.load(tmp_path / "model.npz").classes
    assert sorted(classes) == sorted(labels)
    predicted = csv_rows(
        ok(plainnet_cli("predict", "model.npz", "d.csv", cwd=tmp_path))
    )
    assert {r[0] for r in predicted[1:]} <= set(labels)
    assert "0010" in {r[0] for r in predicted[1:]}


def test_whole_numbers_beyond_int64_never_overflow(tmp_path):
    big = [str(2**64 + 1), str(2**64 + 2)]  # the same float64, two classes
    lines = ["x,label"] + [f"{i % 2}.{i},{big[i % 2]}" for i in range(40)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    ok(
        plainnet_cli(
            "train", "d.csv", "--target", "label", "--task", "classify", cwd=tmp_path
        )
    )
    predictor = pn.Predictor.load(tmp_path / "model.npz")
    assert predictor.classes == [2**64 + 1, 2**64 + 2]
    predicted = csv_rows(
        ok(plainnet_cli("predict", "model.npz", "d.csv", cwd=tmp_path))
    )
    assert {r[0] for r in predicted[1:]} <= set(big)


def test_regression_reports_r2_mae_rmse_in_the_targets_units(tmp_path):
    rng = np.random.default_rng(1)
    size = rng.uniform(20, 200, 300)
    city = rng.choice(["north", "south"], 300)
    price = 3 * size + 50 * (city == "north") + rng.normal(0, 5, 300)
    lines = ["size,city,price"] + [
        f"{s:.1f},{c},{p:.2f}" for s, c, p in zip(size, city, price, strict=True)
    ]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    ok(
        plainnet_cli(
            "train", "p.csv", "--target", "price", "--lr", "0.01", cwd=tmp_path
        )
    )
    out = ok(plainnet_cli("evaluate", "model.npz", "p.csv", cwd=tmp_path))
    assert "R^2: 0.9" in out
    assert "MAE:" in out and "RMSE:" in out and "target's units" in out


# -- the preprocessor ------------------------------------------------------------
def test_table_preprocessor_round_trips_and_guesses_columns(tmp_path):
    write_titanic(tmp_path / "t.csv", n=300)
    columns = read_columns(tmp_path / "t.csv")
    prep = TablePreprocessor(missing_indicator=True).fit(columns, target="Survived")
    assert dict(prep.left_out_) == {
        "PassengerId": "id",
        "Name": "id",
        "Ticket": "id",
        "Cabin": "free_text",
    }
    assert "Age_missing" in prep.feature_names_out_
    assert "Sex=female" in prep.feature_names_out_
    X = prep.transform(columns)
    assert np.isfinite(X).all() and X.shape == (300, len(prep.feature_names_out_))
    again = TablePreprocessor.from_dict(prep.to_dict())
    np.testing.assert_array_equal(again.transform(columns), X)


def test_predictor_takes_columns_by_name(tmp_path):
    pd = pytest.importorskip("pandas")
    write_titanic(tmp_path / "t.csv", n=200)
    ok(plainnet_cli("train", "t.csv", "--target", "Survived", cwd=tmp_path))
    predictor = pn.Predictor.load(tmp_path / "model.npz")
    frame = pd.read_csv(tmp_path / "t.csv")
    from_frame = predictor.predict(frame)
    from_file = predictor.predict(predictor.read_rows(tmp_path / "t.csv").X)
    np.testing.assert_array_equal(from_frame, from_file)
    one = {
        "Pclass": [3],
        "Sex": ["female"],
        "Age": [None],
        "SibSp": [0],
        "Parch": [0],
        "Fare": [7.5],
        "Embarked": ["S"],
    }
    assert predictor.predict_proba(one).shape == (1, 2)


def test_a_huge_feature_is_refused_before_training_naming_the_column(tmp_path):
    lines = ["x,big,y"] + [
        f"{i * 0.3:.1f},{'1e200' if i == 5 else i},{i % 2}" for i in range(30)
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    result = plainnet_cli("train", "d.csv", "--target", "y", cwd=tmp_path)
    assert result.returncode == 1
    assert "line 7, column 'big'" in result.stderr and "too large" in result.stderr
    assert "training a" not in result.stdout
    columns = read_columns(tmp_path / "d.csv")
    with pytest.raises(DataError, match="column 'big'"):
        TablePreprocessor(features=["big"]).fit(columns)


# -- the command line's help and display -------------------------------------------
@pytest.mark.parametrize(
    "command", ["demo", "think", "train", "predict", "evaluate", "info", "plot"]
)
def test_every_command_has_a_description_defaults_and_examples(command):
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[command]
    text = sub.format_help()
    assert sub.description and "examples:" in text
    for action in sub._actions:
        if action.dest != "help":
            assert action.help, f"{command} {action.option_strings} has no help"


def test_the_epoch_line_fits_80_columns():
    stream = io.StringIO()
    line = EpochLine(100000, enabled=True, stream=stream)
    logs = {"loss": 0.123456789, "val_loss": 1234.56789, "val_accuracy": 0.87654}
    line(99999, logs)
    line.close()
    shown = stream.getvalue().strip("\r\n")
    assert len(shown) <= 79
    assert "val acc 0.877" in shown and "best 99999" in shown


def test_plot_redraws_a_saved_model(tmp_path):
    pytest.importorskip("matplotlib")
    write_titanic(tmp_path / "t.csv", n=200)
    ok(plainnet_cli("train", "t.csv", "--target", "Survived", cwd=tmp_path))
    ok(plainnet_cli("plot", "model.npz", "--log-loss", cwd=tmp_path))
    assert (tmp_path / "model.png").read_bytes().startswith(b"\x89PNG")
