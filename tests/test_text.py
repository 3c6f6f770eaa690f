"""Character models: the tokenizer, next-character windows, sampling with a
temperature and a seed, and model files that keep their tokenizer (checked
field by field on loading, like every metadata field)."""

import math

import numpy as np
import pytest

import plainnet as pn
from plainnet import text
from plainnet.errors import DataError, ModelFileError
from test_serialization import with_document

PHRASE = "the quick brown fox. "  # each character follows from the two before
STEPS = 12


@pytest.fixture(scope="module")
def trained():
    """A small causal Transformer that has learned one repeated phrase."""
    tokenizer = pn.CharTokenizer.from_text(PHRASE)
    X, y = text.windows(tokenizer.encode(PHRASE * 20), STEPS, stride=1)
    net = pn.Sequential(
        pn.layers.language_model(len(tokenizer), STEPS, dim=16, heads=2, blocks=1),
        input_shape=(STEPS,),
        seed=0,
    )
    net.fit(
        X, y, loss="cross_entropy", optimizer=pn.Adam(lr=1e-2), epochs=20, batch_size=16
    )
    return net, tokenizer


# -- the tokenizer ---------------------------------------------------------------
def test_the_tokenizer_numbers_the_characters_in_code_point_order():
    tokenizer = pn.CharTokenizer.from_text("hello world")
    assert tokenizer.characters == " dehlorw" and len(tokenizer) == 8
    ids = tokenizer.encode("hello")
    assert ids.dtype == np.int64 and ids.tolist() == [3, 2, 4, 4, 5]
    assert tokenizer.decode(ids) == "hello"
    assert pn.CharTokenizer.from_dict(tokenizer.to_dict()) == tokenizer
    assert repr(tokenizer) == "CharTokenizer(' dehlorw')"


def test_unseen_characters_are_named_with_what_to_do():
    tokenizer = pn.CharTokenizer.from_text("hello world")
    with pytest.raises(DataError) as error:
        tokenizer.encode("héllo\tworld!", "the prompt")
    message = str(error.value)
    assert message.startswith("the prompt holds 3 character(s) the tokenizer")
    assert "'\\t' (U+0009)" in message  # escaped, never printed raw
    assert "'!' (U+0021 EXCLAMATION MARK)" in message
    assert "'é' (U+00E9 LATIN SMALL LETTER E WITH ACUTE)" in message
    assert "knows only the 8 characters" in message and "remove or replace" in message


@pytest.mark.parametrize(
    "value, message",
    [
        ({"kind": "characters"}, "exactly 'kind' and 'characters'"),
        ({"kind": "words", "characters": "ab"}, "unknown kind of tokenizer 'words'"),
        ({"kind": "characters", "characters": ""}, "non-empty string"),
        ({"kind": "characters", "characters": 12}, "non-empty string"),
        (
            {"kind": "characters", "characters": "abca"},
            r"'a' \(U\+0061.*more than once",
        ),
    ],
)
def test_a_bad_tokenizer_is_refused_naming_what_is_wrong(value, message):
    with pytest.raises(ValueError, match=message):
        pn.CharTokenizer.from_dict(value)


# -- windows -----------------------------------------------------------------------
def test_windows_pair_each_step_with_the_character_after_it():
    ids = np.arange(10)
    X, y = text.windows(ids, 4, stride=3)
    assert X.tolist() == [[0, 1, 2, 3], [3, 4, 5, 6]]
    assert y.tolist() == [[1, 2, 3, 4], [4, 5, 6, 7]]
    assert np.shares_memory(X, ids)
    assert text.windows(ids, 3)[0].tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    with pytest.raises(DataError, match="too short for windows of 10 steps"):
        text.windows(ids, 10)


def test_bits_per_character_is_the_loss_in_base_two():
    assert text.bits_per_character(math.log(2)) == pytest.approx(1.0)


# -- sampling ----------------------------------------------------------------------
def test_the_model_continues_its_phrase(trained):
    net, tokenizer = trained
    written = pn.sample(net, tokenizer, "the q", 40, temperature=0.1, seed=0)
    assert written == "the q" + (PHRASE * 3)[5:45]


def test_the_same_seed_writes_the_same_text(trained):
    net, tokenizer = trained
    first = pn.sample(net, tokenizer, "t", 30, temperature=3.0, seed=5)
    assert pn.sample(net, tokenizer, "t", 30, temperature=3.0, seed=5) == first
    others = {
        pn.sample(net, tokenizer, "t", 30, temperature=3.0, seed=s) for s in range(4)
    }
    assert len(others) > 1
    generator = np.random.default_rng(5)
    assert pn.sample(net, tokenizer, "t", 30, temperature=3.0, seed=generator) == first


def test_a_prompt_longer_than_the_window_keeps_its_last_steps(trained):
    net, tokenizer = trained
    prompt = PHRASE * 2 + "the "
    written = pn.sample(net, tokenizer, prompt, 8, temperature=0.1)
    assert written == prompt + "quick br"


def test_zero_characters_return_the_prompt(trained):
    net, tokenizer = trained
    assert pn.sample(net, tokenizer, "the fox", 0) == "the fox"


@pytest.mark.parametrize("temperature", [0, -1.0, math.inf, math.nan, "hot"])
def test_a_temperature_that_is_not_a_positive_number_is_refused(trained, temperature):
    net, tokenizer = trained
    with pytest.raises(ValueError, match=r"^temperature must be"):
        pn.sample(net, tokenizer, "the", 5, temperature=temperature)


def test_bad_prompts_and_counts_are_refused(trained):
    net, tokenizer = trained
    with pytest.raises(DataError, match=r"the prompt holds 1 character\(s\).*'Z'"):
        pn.sample(net, tokenizer, "the Zebu", 5)
    with pytest.raises(DataError, match="the prompt holds"):  # even for 0 chars
        pn.sample(net, tokenizer, "Zoo", 0)
    with pytest.raises(ValueError, match="prompt is empty"):
        pn.sample(net, tokenizer, "", 5)
    with pytest.raises(ValueError, match="n_chars must be an int >= 0, got -1"):
        pn.sample(net, tokenizer, "the", -1)


def test_a_network_that_is_not_the_tokenizers_model_is_refused(trained):
    net, _ = trained
    other = pn.CharTokenizer.from_text("abc")
    with pytest.raises(
        ValueError, match=r"giving \(n, steps, 3\) logits.*gives \(12, 17\)"
    ):
        pn.sample(net, other, "a", 5)


# -- model files -----------------------------------------------------------------
def test_a_model_file_keeps_the_tokenizer(trained, tmp_path):
    net, tokenizer = trained
    path = tmp_path / "char.npz"
    text.save_char_model(net, tokenizer, path, metadata={"source": "a phrase"})
    loaded, again = text.load_char_model(path)
    assert again == tokenizer
    assert pn.sample(loaded, again, "the", 20, seed=1) == pn.sample(
        net, tokenizer, "the", 20, seed=1
    )
    assert pn.model_files.read_model_file(path).metadata["source"] == "a phrase"
    net.save(tmp_path / "plain.npz")
    with pytest.raises(ValueError, match="holds no tokenizer"):
        text.load_char_model(tmp_path / "plain.npz")


def test_a_tokenizer_that_does_not_fit_the_network_is_refused(trained, tmp_path):
    net, tokenizer = trained
    smaller = pn.CharTokenizer(tokenizer.characters[:-1])
    with pytest.raises(
        ValueError, match="'tokenizer' has 16 entries, but the network has 17"
    ):
        text.save_char_model(net, smaller, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize(
    "tokenizer, words",
    [
        ({"kind": "characters", "characters": "ab"}, ["'tokenizer' has 2 entries"]),
        ({"kind": "characters"}, ["'tokenizer'", "'kind' and 'characters'"]),
        ({"kind": "bytes", "characters": "x"}, ["unknown kind of tokenizer"]),
        ("abc", ["'tokenizer'"]),
    ],
)
def test_a_damaged_tokenizer_in_a_file_is_refused_naming_it(
    trained, tmp_path, tokenizer, words
):
    net, good = trained
    path = tmp_path / "char.npz"
    text.save_char_model(net, good, path)
    with_document(path, lambda doc: doc["metadata"].update(tokenizer=tokenizer))
    with pytest.raises(ModelFileError) as error:
        text.load_char_model(path)
    message = str(error.value)
    assert message.startswith(f"{path}: invalid metadata")
    for word in words:
        assert word in message


def test_plainnet_ships_its_own_docstrings_as_a_text():
    corpus = text.docstrings_text()
    assert len(corpus) > 100_000
    assert corpus == text.docstrings_text()
    assert text.__doc__.strip() in corpus  # this module's own docstring
