"""Character-level language models: the training pairs of a text, sampling
new text from a trained model, a model file that keeps its tokenizer, and a
text to learn from that ships with plainnet (its own docstrings).

A character model maps ``(n, steps)`` ids to ``(n, steps, vocabulary)``
logits, each step's being the scores of the character after it, computed from
that step and the ones before it only (a causal model: ``MultiHeadAttention(
causal=True)``, or a recurrent layer running forward).

>>> tokenizer = pn.CharTokenizer.from_text(text)
>>> X, y = text.windows(tokenizer.encode(text), steps=64)
>>> net.fit(X, y, loss="cross_entropy")
>>> pn.sample(net, tokenizer, "The network ", 200)
"""

import ast
import math
import os
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import check_int, check_positive
from .errors import DataError
from .model_files import read_model_file
from .tokenizer import CharTokenizer

__all__ = [
    "bits_per_character",
    "docstrings_text",
    "load_char_model",
    "sample",
    "save_char_model",
    "windows",
]


def windows(
    ids, steps: int, stride: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Next-character training pairs cut from one long sequence of ids.

    ``X[i] = ids[s : s + steps]`` and ``y[i] = ids[s + 1 : s + steps + 1]``
    for ``s = i * stride``: at every step the target is the character after
    it. Both are views into ``ids`` (no copy).

    Parameters
    ----------
    ids : 1-D array of int
        A text's ids (``tokenizer.encode(text)``).
    steps : int
        Characters per window (the model's ``input_shape``).
    stride : int, optional
        From one window's start to the next's; default ``steps`` (windows side
        by side). A smaller stride overlaps them.

    Returns
    -------
    X, y : arrays of shape (n_windows, steps)
    """
    ids = np.asarray(ids)
    steps = check_int("steps", steps)
    stride = steps if stride is None else check_int("stride", stride)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise DataError(
            f"ids must be a 1-D array of integers, got {ids.dtype} {ids.shape}"
        )
    if len(ids) < steps + 1:
        raise DataError(
            f"a text of {len(ids)} characters is too short for windows of "
            f"{steps} steps and their next characters ({steps + 1} needed)"
        )
    every = sliding_window_view(ids, steps + 1)[::stride]
    return every[:, :-1], every[:, 1:]


def sample(
    net,
    tokenizer: CharTokenizer,
    prompt: str,
    n_chars: int,
    temperature: float = 0.8,
    seed=0,
) -> str:
    """``prompt`` followed by ``n_chars`` characters the model writes, drawn one
    at a time.

    Each new character is drawn from ``softmax(logits / temperature)`` at the
    last step of the text so far (its last ``steps`` characters, the window
    the model takes; a shorter text is padded at the end, which a causal
    model never looks at).

    Parameters
    ----------
    net : Sequential
        A character model (see the module's docstring) over ``tokenizer``'s
        characters.
    tokenizer : CharTokenizer
    prompt : str
        At least one character, each one the tokenizer knows.
    n_chars : int
        How many characters to add (0 returns ``prompt``).
    temperature : float, default 0.8
        Above 0: below 1 the model's likelier characters gain, above 1 its
        less likely ones; near 0 it always takes the likeliest.
    seed : int or numpy Generator, default 0
        Source of the draws: the same seed writes the same text.

    Returns
    -------
    str

    Example
    -------
    >>> sample(net, tokenizer, "The layer ", 100, temperature=0.8, seed=1)
    """
    n_chars = check_int("n_chars", n_chars, low=0)
    check_positive("temperature", temperature)
    if not isinstance(prompt, str):
        raise TypeError(f"the prompt must be a string, got {type(prompt).__name__}")
    ids = list(tokenizer.encode(prompt, "the prompt"))
    if n_chars == 0:
        return prompt
    if not ids:
        raise ValueError(
            "the prompt is empty: give at least one character to start from"
        )
    steps = _check_model(net, tokenizer)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    window = np.zeros((1, steps), np.int64)
    written = []
    for _ in range(n_chars):
        last = ids[-steps:]
        window[0, : len(last)] = last
        window[0, len(last) :] = 0
        logits = np.asarray(net.predict(window)[0, len(last) - 1], np.float64)
        ids.append(_draw(logits, temperature, rng))
        written.append(ids[-1])
    return prompt + tokenizer.decode(written)


def _check_model(net, tokenizer: CharTokenizer) -> int:
    """The model's window length; ``ValueError`` unless it maps ``(steps,)``
    ids to ``(steps, len(tokenizer))`` logits."""
    vocabulary = len(tokenizer)
    shape_in, shape_out = net.input_shape, net.output_shape
    if shape_in is None or len(shape_in) != 1 or shape_out != (shape_in[0], vocabulary):
        raise ValueError(
            f"sampling needs a character model taking (n, steps) ids and giving "
            f"(n, steps, {vocabulary}) logits, one per character of the tokenizer; "
            f"this network takes {shape_in} and gives {shape_out}"
        )
    return shape_in[0]


def _draw(logits: np.ndarray, temperature: float, rng) -> int:
    """One id drawn from ``softmax(logits / temperature)`` (shifted by the
    maximum, so any temperature above 0 stays finite)."""
    z = logits / temperature
    z -= z.max()
    p = np.exp(z)
    p /= p.sum()
    return int(rng.choice(len(p), p=p))


def save_char_model(net, tokenizer: CharTokenizer, path, metadata: dict | None = None):
    """Save ``net`` with ``tokenizer`` in the model file's metadata
    (``tokenizer``, checked against the network's vocabulary on saving and on
    loading); see :func:`plainnet.model_files.save`."""
    net.save(path, metadata={**(metadata or {}), "tokenizer": tokenizer.to_dict()})


def load_char_model(path, device: str | None = None):
    """The network and the tokenizer of a model file written by
    :func:`save_char_model`.

    Returns
    -------
    (Sequential, CharTokenizer)

    Raises
    ------
    ModelFileError
        As :func:`plainnet.load`; ``ValueError`` for a model file without a
        tokenizer.
    """
    contents = read_model_file(path)
    if "tokenizer" not in contents.metadata:
        raise ValueError(
            f"{os.fspath(path)} holds no tokenizer: it is not a character model "
            "(save one with plainnet.text.save_char_model)"
        )
    if device is not None:
        contents.network.to(device)
    return contents.network, CharTokenizer.from_dict(contents.metadata["tokenizer"])


def docstrings_text() -> str:
    """plainnet's own docstrings as one text to learn from: every module's,
    class's and function's, file by file in alphabetical order and in source
    order within a file, separated by blank lines.

    About 250 KB of English about neural networks, with its examples and its
    NumPy-style sections; part of every installation, under plainnet's licence
    (MIT). It changes when the documentation does.
    """
    root = Path(__file__).resolve().parent
    texts = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        texts += _docstrings(tree)
    return "\n\n".join(texts) + "\n"


def _docstrings(node) -> list[str]:
    """The docstrings of ``node`` and of the classes and functions inside it,
    in the order they are written."""
    found = []
    if isinstance(
        node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    ):
        text = ast.get_docstring(node)
        if text:
            found.append(text)
    for child in ast.iter_child_nodes(node):
        found += _docstrings(child)
    return found


def bits_per_character(loss: float) -> float:
    """A cross-entropy in nats per character as bits per character."""
    return loss / math.log(2)
