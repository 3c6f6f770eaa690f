"""The playground's settings, data, training thread, model file and Python code,
without a server: a link reproduces a setup, bad settings say what to change,
the shown code trains bit for bit the network the page trained, and the model
file predicts what the page draws."""

import base64
import contextlib
import io
import os
import re

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import write_flowers
from plainnet.playground import drawing
from plainnet.playground.data import CsvFile, load_data
from plainnet.playground.settings import Setup, SetupError, parse_setup, setup_from_link
from playground_helpers import guide_links, session_of, train, wait_for

# the guide's presets: the seed's one neuron, and XOR's hidden layer of four
SEED_NEURON, XOR = guide_links()["seed"], guide_links()["xor"]


# -- settings and links ------------------------------------------------------------
def test_a_link_gives_back_the_setup_it_was_made_from():
    setup = Setup(data="spirals", classes=3, noise=0.05, hidden=(16, 4), bias=False)
    url = f"http://127.0.0.1:8123/?token=abc#{setup.fragment()}"
    assert setup_from_link(url) == setup
    assert setup_from_link("#" + setup.fragment()) == setup
    assert "hidden=16,4" in setup.fragment()


def test_a_short_link_keeps_the_defaults_of_the_rest():
    setup = setup_from_link(SEED_NEURON)
    assert (setup.data, setup.hidden, setup.bias, setup.loss) == (
        "seed",
        (),
        False,
        "sse",
    )
    assert setup.activation == Setup().activation


@pytest.mark.parametrize(
    ("link", "says"),
    [
        ("lr=-1", "lr must be a number above 0 up to 100; got '-1'"),
        ("lr=nan", "lr must be a number above 0"),
        ("hidden=8,x", "hidden must list the hidden layers' widths, like 8,8"),
        ("hidden=8,0", "hidden must list the hidden layers' widths"),
        ("hidden=%C2%B2", "hidden must list the hidden layers' widths"),
        ("data=iris", "data must be one of moons, circles, spirals, xor, seed, csv"),
        ("samples=3", "samples must be a whole number from 4 to 5000; got '3'"),
        ("batch=2.5", "batch must be a whole number"),
        ("bias=maybe", "bias must be 1 or 0"),
        ("bogus=1", "unknown setting(s) 'bogus'; the settings are data, samples"),
        ("lr=1&lr=2", "the link sets 'lr' twice"),
    ],
)
def test_bad_settings_name_the_field_and_what_it_takes(link, says):
    with pytest.raises(SetupError, match=re.escape(says)):
        setup_from_link(link)


def test_the_guides_links_set_up_and_train_its_networks():
    assert set(guide_links()) == {"xor", "seed"}
    with session_of(XOR) as session:
        train(session, 3000)
        run = session.run
        assert (run.net.predict(run.X).ravel().round() == [0, 1, 1, 0]).all()
    with session_of(SEED_NEURON) as session:
        assert session.state()["data"]["notes"] == [
            "the drawing holds the features not drawn at their training mean (x3 at 1)"
        ]
        assert [str(layer) for layer in session.run.net.layers] == [
            "Dense(n_in=3, n_out=1, bias=False, init='uniform')",
            "Sigmoid()",
        ]
        train(session, 3000)
        assert session.run.net.predict([[1.0, 0.0, 0.0]])[0, 0] > 0.99


def test_json_values_are_taken_as_well_as_text():
    setup = parse_setup({"lr": 0.1, "bias": False, "hidden": "3", "noise": None})
    assert (setup.lr, setup.bias, setup.hidden, setup.noise) == (0.1, False, (3,), None)
    with pytest.raises(SetupError, match="expected settings as an object, got list"):
        parse_setup([1, 2])


def test_settings_that_do_not_fit_the_data_leave_the_run_as_it_was():
    with session_of() as session:
        run = session.run
        with pytest.raises(SetupError, match="loss sse gives one output, for two"):
            session.configure({"data": "spirals", "classes": 3, "loss": "sse"})
        with pytest.raises(SetupError, match="leaves 1 of the 4 points for training"):
            session.configure({"data": "xor", "samples": 4, "split": 0.8})
        with pytest.raises(SetupError, match="no CSV file: upload one"):
            session.configure({"data": "csv", "target": "species"})
        assert session.run is run
        with pytest.raises(SetupError, match="unknown action 'jump'"):
            session.control("jump")


# -- CSV files ---------------------------------------------------------------------
def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_file_trains_on_its_number_columns(tmp_path):
    kinds = ["cat", "dog", "emu"]
    rows = [
        f"n{i},{5 + i % 3 + i / 100},{20 + 7 * (i % 3)},{i % 7},{kinds[i % 3]}"
        for i in range(30)
    ]
    table = write(
        tmp_path / "pets.csv",
        "\n".join(["name,weight,height,age,kind", *rows, "n30,,30,2,cat"]) + "\n",
    )
    with session_of(csv=CsvFile(table)) as session:
        session.configure({"data": "csv", "target": "kind", "x_axis": "height"})
        state = session.state()
        data = state["data"]
        assert data["classes"] == ["cat", "dog", "emu"]
        assert data["features"] == ["weight", "height", "age"]
        assert data["axes"] == ["height", "weight"]
        assert data["notes"] == [
            "left out the text column(s) 'name': the playground uses columns of "
            "numbers",
            "left out 1 row(s) with a missing value",
            "the drawing holds the features not drawn at their training mean "
            "(age at 2.79)",
        ]
        assert state["setup"]["target"] == "kind"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "a,label\n1,x\n2,y\n",
            "pets.csv has 1 column(s) of numbers besides the "
            "target 'label'; the playground draws two",
        ),
        ("a,b,label\n1,2,x\n2,3,x\n3,1,x\n", "choose another column"),
        (
            "a,b,label\n" + "".join(f"{i},{i},{i}\n" for i in range(30)),
            "column 'label' has 30 distinct values",
        ),
        ("a,b,label\n1,2\n", "pets.csv: line 2"),
    ],
)
def test_a_csv_file_that_cannot_be_drawn_says_what_to_do(tmp_path, text, says):
    table = write(tmp_path / "pets.csv", text)
    with pytest.raises(SetupError, match=re.escape(says)):
        load_data(setup_from_link("data=csv&target=label"), CsvFile(table))


def test_an_upload_is_named_by_its_own_name_never_by_where_it_is_kept():
    with session_of() as session:
        with pytest.raises(SetupError) as caught:
            session.upload("../../my table.csv", b"a,b,label\n1,2\n")
        assert str(caught.value).startswith("my table.csv: line 2")
        csv = session.upload("flowers.csv", b"a,b,label\n1,2,x\n3,4,y\n")
        assert csv.describe()["columns"] == ["a", "b", "label"]
        assert session.upload("\x1b[31m", b"c,d\n1,2\n").name == "[31m"
        assert not os.path.exists(csv.path)  # one upload kept at a time


# -- training: the thread, the buttons, the limit ----------------------------------
def test_step_pause_and_reset():
    with session_of() as session:
        first = session.run
        start = first.snapshot.parameters.copy()
        for _ in range(3):
            session.control("step")
        wait_for(lambda: session.run.snapshot.epoch == 3)
        session.control("start")
        wait_for(lambda: session.run.snapshot.epoch > 3)
        session.control("pause")
        wait_for(lambda: session.state()["status"] == "paused")
        paused = session.run.snapshot.epoch  # or one less: the last epoch ends
        session.control("step")
        wait_for(lambda: session.run.snapshot.epoch > paused)
        session.control("reset")
        assert session.run is not first
        assert session.run.snapshot.epoch == 0
        np.testing.assert_array_equal(session.run.snapshot.parameters, start)


def test_the_page_gets_only_the_history_it_lacks():
    with session_of() as session:
        train(session, 12)
        run = session.run.id
        state = session.state(run, since=10)
        assert state["history"]["from"] == 10
        assert len(state["history"]["loss"]) == 2
        assert "data" not in state  # the page has this run's points already
        assert session.state(run + 1)["history"]["from"] == 0


def test_the_epoch_limit_stops_the_run_and_saves_out(tmp_path):
    out = tmp_path / "m.npz"
    with session_of(out=str(out)) as session:
        train(session, 20)
        assert session.state()["status"] == "finished"
        assert session.said == [
            f"run 1: trained 20 epochs, loss {session.run.net.history.loss[-1]:.6g}; "
            f"saved {out}"
        ]
        with pytest.raises(SetupError, match="trained its 20 epochs"):
            session.control("start")
    assert len(pn.load(out).history.loss) == 20


def test_divergence_stops_the_run_and_says_what_to_try():
    with session_of("activation=identity&lr=10&optimizer=sgd&hidden=8,8") as session:
        train(session, 50)
        state = session.state()
        assert state["status"] == "diverged"
        assert "Try 1, ten times smaller" in state["findings"][-1]
        with pytest.raises(SetupError, match="cannot go on"):
            session.control("step")


def test_the_diagnosis_reads_the_run():
    with session_of("activation=relu&lr=3&optimizer=momentum&hidden=32,32") as session:
        train(session, 50)
        findings = session.state()["findings"]
    assert any("ReLUs of layer 1 never activate" in f for f in findings)


def test_a_large_network_gets_fewer_pictures_and_a_note():
    with session_of("hidden=64,64") as session:
        state = session.state()
    images = [base64.b64decode(text) for text in state["drawing"]["neurons"]]
    assert sum(len(layer) for layer in images) == 64 * drawing.NEURON_GRID**2
    assert state["drawing"]["weights"] is None
    notes = " ".join(state["data"]["notes"])
    assert "130 neurons; the page draws the first 64" in notes
    assert "4,352 weights" in notes


# -- what leaves the page: the code and the model file -----------------------------
def run_code(code: str, folder, monkeypatch) -> dict:
    monkeypatch.chdir(folder)
    namespace: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "playground_code.py", "exec"), namespace)
    namespace["printed"] = printed.getvalue()
    return namespace


@pytest.mark.parametrize(
    ("link", "epochs"),
    [
        ("", 30),
        (SEED_NEURON, 300),
        (XOR, 200),
        (
            "data=spirals&classes=3&hidden=16&activation=relu&dropout=0.1&l2=0.001"
            "&optimizer=momentum&lr=0.05&schedule=cosine&decay=50&batch=16",
            40,
        ),
        (
            "data=circles&noise=0.2&loss=binary_cross_entropy&optimizer=rmsprop"
            "&schedule=plateau&lr=0.01&init=he_normal",
            25,
        ),
    ],
)
def test_the_shown_code_trains_the_same_network(link, epochs, tmp_path, monkeypatch):
    with session_of(link) as session:
        train(session, epochs)
        code = session.code()
        run = session.run
        namespace = run_code(code, tmp_path, monkeypatch)
        np.testing.assert_array_equal(namespace["net"].parameters, run.net.parameters)
        loss = run.net.history.loss[-1]
        assert namespace["printed"] == f"after {epochs} epochs: loss {loss!r}\n"
    assert pn.load(tmp_path / "playground.npz").history.loss[-1] == loss


def test_the_shown_code_reads_the_csv_file_as_the_page_did(tmp_path, monkeypatch):
    table = write_flowers(tmp_path / "flowers.csv")
    link = "data=csv&target=species&x_axis=petal_length&inputs=drawn&hidden=6"
    with session_of(link, csv=CsvFile(table)) as session:
        train(session, 15)
        code = session.code()
        assert "X = X[:, [2, 0]]  # petal_length, sepal_length" in code
        namespace = run_code(code, tmp_path, monkeypatch)
        np.testing.assert_array_equal(
            namespace["net"].parameters, session.run.net.parameters
        )
        raw = session.run.data.X[:, [2, 0]]
        expected = session.run.net.predict_proba(session.run.X)
    predictor = pn.Predictor.load(tmp_path / "playground.npz")
    np.testing.assert_array_equal(predictor.predict_proba(raw), expected)
    assert predictor.classes == ["setosa", "versicolor", "virginica"]


def test_the_model_file_predicts_what_the_page_draws(tmp_path):
    with session_of("data=spirals&classes=3&hidden=12,12") as session:
        train(session, 60)
        path = tmp_path / "playground.npz"
        path.write_bytes(session.model_file())
        run = session.run
        wait_for(lambda: run.drawing()["epoch"] == 60)  # drawn as the page polls
        drawn = run.drawing()
        grid = drawing.grid_rows(run.data, run.drawer.extent, drawing.GRID)
    net = pn.load(path)
    cells = np.frombuffer(base64.b64decode(drawn["boundary"]), np.uint8)
    np.testing.assert_array_equal(net.predict_proba(grid).argmax(axis=1), cells[0::2])
    predictor = pn.Predictor.load(path)
    assert predictor.classes == [0, 1, 2]
    assert predictor.feature_names == ["x1", "x2"]


def test_a_csv_model_file_scales_its_features_itself(tmp_path):
    table = write_flowers(tmp_path / "flowers.csv")
    with session_of("data=csv&target=species", csv=CsvFile(table)) as session:
        train(session, 10)
        path = tmp_path / "flowers.npz"
        path.write_bytes(session.model_file())
        run = session.run
        expected = run.net.predict(run.X)
    predictor = pn.Predictor.load(path)
    raw = run.data.X
    np.testing.assert_array_equal(
        predictor.network.predict(run.data.network_input(raw)), expected
    )
    labels = predictor.predict(raw)
    assert set(labels) <= {"setosa", "versicolor", "virginica"}
    assert predictor.target == "species"
