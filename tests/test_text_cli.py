"""``plainnet train-text`` and ``plainnet write``: a character model from a text
file, and text from it; one-line errors for files and prompts that do not
fit, with the usual exit statuses (1 for files and data, 2 for the command)."""

import signal

import pytest

import plainnet as pn
from cli_helpers import start_until
from plainnet import cli

#: 23 characters: windows that start every 6 characters meet it at every offset
PHRASE = "the quick brown foxes. "
SMALL = ["--steps", "12", "--dim", "16", "--heads", "2", "--blocks", "1"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("text")
    source = folder / "fox.txt"
    source.write_text(PHRASE * 40, encoding="utf-8")
    out = folder / "fox.npz"
    argv = ["train-text", str(source), *SMALL, "--epochs", "30", "--batch-size", "8"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    return out


def test_train_text_saves_a_model_that_writes(model, capsys):
    assert (
        cli.main(
            ["write", str(model), "the q", "--chars", "30", "--temperature", "0.1"]
        )
        == 0
    )
    assert capsys.readouterr().out == "the q" + (PHRASE * 3)[5:35] + "\n"
    _, tokenizer = pn.text.load_char_model(model)
    assert tokenizer.characters == "".join(sorted(set(PHRASE)))
    assert pn.model_files.read_model_file(model).metadata["source"] == "fox.txt"


def test_train_text_reports_bits_per_character_each_epoch(tmp_path, capsys):
    source = tmp_path / "t.txt"
    source.write_text(PHRASE * 20, encoding="utf-8")
    argv = ["train-text", str(source), *SMALL, "--epochs", "2"]
    assert cli.main([*argv, "--out", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert f"{len(PHRASE) * 20} characters ({len(set(PHRASE))} distinct)" in out
    assert out.count("bits per character") == 2
    assert f"saved to {tmp_path / 'm.npz'}" in out


def test_write_with_the_same_seed_writes_the_same(model, capsys):
    argv = [
        "write",
        str(model),
        "t",
        "--chars",
        "40",
        "--temperature",
        "2",
        "--seed",
        "4",
    ]
    cli.main(argv)
    first = capsys.readouterr().out
    cli.main(argv)
    assert capsys.readouterr().out == first
    assert cli.main(["write", str(model), "fox", "--chars", "0"]) == 0
    assert capsys.readouterr().out == "fox\n"


def test_write_names_the_characters_the_model_never_saw(model, capsys):
    assert cli.main(["write", str(model), "The Fox!"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("plainnet write: error: the prompt holds 3 character(s)")
    assert "'T' (U+0054" in err and "'!' (U+0021" in err and "remove or replace" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("temperature", ["0", "-1", "inf", "nan"])
def test_write_refuses_a_temperature_that_is_not_positive(model, capsys, temperature):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["write", str(model), "the", "--temperature", temperature])
    assert exit_.value.code == 2
    assert "--temperature: expected a positive number" in capsys.readouterr().err


def test_write_needs_a_character_model(tmp_path, capsys):
    plain = tmp_path / "plain.npz"
    pn.Sequential([pn.Dense(2, 1)], seed=0).save(plain)
    assert cli.main(["write", str(plain), "x"]) == 1
    assert "holds no tokenizer" in capsys.readouterr().err
    assert cli.main(["write", str(tmp_path / "missing.npz"), "x"]) == 1
    assert "no such model file" in capsys.readouterr().err


def test_train_text_refuses_files_it_cannot_learn_from(tmp_path, capsys):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert cli.main(["train-text", str(binary), "--out", str(tmp_path / "m.npz")]) == 1
    assert f"{binary}: not UTF-8 text (byte 0" in capsys.readouterr().err
    short = tmp_path / "short.txt"
    short.write_text("too short", encoding="utf-8")
    assert cli.main(["train-text", str(short), "--out", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert f"{short}: a text of" in err and "smaller --steps" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert cli.main(["train-text", str(empty), "--out", str(tmp_path / "m.npz")]) == 1
    assert "the file is empty" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_train_text_refuses_bad_settings_and_its_own_input_as_output(tmp_path, capsys):
    source = tmp_path / "t.txt"
    source.write_text(PHRASE * 20, encoding="utf-8")
    argv = ["train-text", str(source), "--dim", "30", "--heads", "4"]
    assert cli.main([*argv, "--out", str(tmp_path / "m.npz")]) == 2
    assert "--dim 30 must be a multiple of --heads 4" in capsys.readouterr().err
    assert cli.main(["train-text", str(source), "--out", str(source)]) == 2
    assert "is one of this command's inputs" in capsys.readouterr().err
    assert source.read_text(encoding="utf-8") == PHRASE * 20


@pytest.mark.parametrize(
    "number, status, by",
    [(signal.SIGTERM, 143, "by SIGTERM "), (signal.SIGINT, 130, "")],
)
def test_a_signal_during_the_save_lets_it_finish(tmp_path, number, status, by):
    (tmp_path / "fox.txt").write_text(PHRASE * 20, encoding="utf-8")
    process = start_until(
        "train-text", "fox.txt", *SMALL, "--epochs", 1, "--out", "fox.npz",
        cwd=tmp_path,
        line="pausing before rename",
        PLAINNET_TEST_PAUSE_BEFORE_RENAME="2",
    )  # fmt: skip
    process.send_signal(number)
    out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert f"interrupted {by}while saving" in err and "fox.npz" in err, err
    assert "Traceback" not in err and "saved to fox.npz" in out
    net, tokenizer = pn.text.load_char_model(tmp_path / "fox.npz")  # whole
    assert net.history.loss and tokenizer.characters == "".join(sorted(set(PHRASE)))
    assert not [p for p in tmp_path.iterdir() if ".plainnet-tmp-" in p.name]
