"""The Python blocks of README.md and of the guide (docs/guide/*.md) run, and
print what their comments say.

The ```python blocks of one file run in order, in one namespace, in a temporary
folder. A block after an HTML comment ``<!-- skip -->`` (or ``<!-- skip: why
-->``) is not run; one after ``<!-- needs: Conv2D -->`` runs once plainnet has
that attribute (a layer still to come). A block needing an optional extra that
is not installed is skipped with the reason, and so are the later blocks of its
file that use what it defined.

Every warning the blocks raise must be named in the text (its category, as
``ConvergenceWarning``), since the reader will see it.

A statement that prints must print what its comments show: a comment ending
its line that looks like output (it starts with a digit, a sign, a bracket or a
quote, or with ``True``, ``False`` or ``None``; other trailing comments are
prose), or the comment lines right below it. Runs of spaces count as one, and
``...`` stands for anything.
"""

import ast
import contextlib
import io
import re
import tokenize
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs" / "guide").glob("*.md"))]
BLOCK = re.compile(
    r"(?:(?P<skip><!--\s*skip\b[^>]*-->)|<!--\s*needs:\s*(?P<needs>\w+)\s*-->)?"
    r"\s*```python\n(?P<code>.*?)```",
    re.S,
)
OUTPUT_LIKE = re.compile(r"^([-+\d.\[(\"']|True|False|None)")


def python_blocks(text: str) -> list[tuple[int, str, bool | str]]:
    """(line number, code, skip) of every ```python block: skip is True for
    ``<!-- skip -->``, the name for ``<!-- needs: Conv2D -->`` when plainnet
    has no such attribute yet, else False."""
    import plainnet

    blocks = []
    for m in BLOCK.finditer(text):
        skip = bool(m["skip"])
        if m["needs"] and not hasattr(plainnet, m["needs"]):
            skip = m["needs"]
        blocks.append((text.count("\n", 0, m.start("code")) + 1, m["code"], skip))
    return blocks


def output_comments(code: str) -> dict[int, str]:
    """The expected output of the statement ending on each line, by line number
    in ``code``: an output-like comment ending that line, or the comment lines
    right below it (any text, one line of output each)."""
    trailing, alone = {}, {}
    lines = code.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            row, text = token.start[0], token.string[1:].strip()
            if not lines[row - 1][: token.start[1]].strip():
                alone[row] = text
            elif OUTPUT_LIKE.match(text):
                trailing[row] = text
    comments = dict(trailing)
    for row in range(1, len(lines) + 1):
        if row not in alone and row + 1 in alone and row not in trailing:
            below, after = [], row + 1
            while after in alone:
                below.append(alone[after])
                after += 1
            comments[row] = "\n".join(below)
    return comments


def matches(printed: str, expected: str) -> bool:
    """``printed`` reads as ``expected``, spaces collapsed, ``...`` anything."""
    printed = " ".join(printed.split())
    parts = [re.escape(" ".join(part.split())) for part in expected.split("...")]
    return re.fullmatch(".*".join(parts), printed, re.S) is not None


def run_block(code: str, namespace: dict, where: str) -> None:
    """Run ``code`` statement by statement, checking the output comments."""
    tree = ast.parse(code)
    comments = output_comments(code)
    for statement in tree.body:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(ast.Module([statement], []), where, "exec"), namespace)
        expected = comments.get(statement.end_lineno)
        printed = buffer.getvalue().strip()
        if expected is not None and printed:
            line = ast.get_source_segment(code, statement)
            assert matches(printed, expected), (
                f"{where}: `{line}` printed {printed!r}, the text says {expected!r}"
            )


OPTIONAL = {
    "sklearn",
    "matplotlib",
    "pandas",
    "dask",
    "distributed",
    "mpi4py",
    "onnx",
    "onnxruntime",
    "torch",
}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run_and_print_what_they_say(document, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    skipped, ran = [], 0
    text = document.read_text("utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for line, code, marked in python_blocks(text):
            where = f"{document.relative_to(ROOT)}:{line}"
            if isinstance(marked, str):
                skipped.append(f"{where} needs plainnet.{marked}")
                continue
            if marked:
                continue
            try:
                run_block(code, namespace, where)
                ran += 1
            except ModuleNotFoundError as error:
                if error.name and error.name.split(".")[0] in OPTIONAL:
                    skipped.append(f"{where} needs {error.name}")
                    continue
                raise
            except NameError:
                if skipped:  # uses what a skipped block would have defined
                    skipped.append(f"{where} after a skipped block")
                    continue
                raise
    # a warning the reader sees must be one the text tells them about
    unmentioned = {
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if w.category.__name__ not in text
    }
    assert not unmentioned, f"{document.name} does not mention {unmentioned}"
    if skipped:
        pytest.skip("; ".join(skipped))
    assert ran or document != DOCUMENTS[0]  # the README's blocks do run


def test_the_checker_reads_output_comments():
    code = (
        "print([1.0, 2.0])  # [1.0, 2.0]\nx = 1  # prose\nprint(0.97777)  # 0.977...\n"
    )
    assert output_comments(code) == {1: "[1.0, 2.0]", 3: "0.977..."}
    below = "print('a')\n# a\nx = 2\n# prose\n# more\n"
    assert output_comments(below) == {1: "a", 3: "prose\nmore"}
    assert matches("[[0.0016 0.    0.991  0.0073]]", "[[0.0016 0. 0.991 ...]]")
    assert not matches("0.97556", "0.9777...")
    with pytest.raises(AssertionError, match="printed '2'"):
        run_block("print(1 + 1)  # 3\n", {}, "example")
    text = "<!-- skip -->\n```python\nboom()\n```\n```python\nok()\n```\n"
    assert [(skip, code) for _, code, skip in python_blocks(text)] == [
        (True, "boom()\n"),
        (False, "ok()\n"),
    ]
