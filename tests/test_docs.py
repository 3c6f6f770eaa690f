"""The Python and shell blocks of README.md and of the guide (docs/guide/*.md)
run, and print what their comments say.

The ```python blocks of one file run in order, in one namespace, in a temporary
folder. A block after an HTML comment ``<!-- skip -->`` (or ``<!-- skip: why
-->``) is not run. A block needing an optional extra that is not installed is
skipped with the reason, and so are the later blocks of its file that use what
it defined.

The ```bash blocks of one file run in order, one command at a time (a here
document with its command), in another temporary folder, with ``plainnet`` and
``python`` the ones running the tests. Not run: a block after ``<!-- skip: why
-->`` (the marked ones make a virtual environment and install into it from the
network, start MPI ranks under ``mpiexec``, or redraw the committed figures,
which tests/test_guide_figures.py does in a quick mode) and ``pip install``
lines (the tests run where the extras are installed; a command that says an
extra is missing is skipped with the reason). Every command must succeed. Its
printed lines (stdout) must match, as below, an output-like comment ending its
line (one starting with an upper-case letter, a digit, ``...``, a sign, a
bracket or a quote; lower-case ones are prose), or the comment lines right
below it, or the plain ``` block after ``<!-- output: COMMAND -->``.

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
import os
import re
import subprocess
import sys
import tokenize
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs" / "guide").glob("*.md"))]
BLOCK = re.compile(
    r"(?:(?P<skip><!--\s*skip\b[^>]*-->))?\s*```python\n(?P<code>.*?)```", re.S
)
OUTPUT_LIKE = re.compile(r"^([-+\d.\[(\"']|True|False|None)")


def python_blocks(text: str) -> list[tuple[int, str, bool]]:
    """(line number, code, skip) of every ```python block: skip is True after
    ``<!-- skip -->``."""
    return [
        (text.count("\n", 0, m.start("code")) + 1, m["code"], bool(m["skip"]))
        for m in BLOCK.finditer(text)
    ]


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


# -- the shell blocks ---------------------------------------------------------------
SHELL_BLOCK = re.compile(
    r"(?:(?P<skip><!--\s*skip\b[^>]*-->))?\s*```bash\n(?P<code>.*?)```", re.S
)
OUTPUT_BLOCK = re.compile(
    r"<!--\s*output:\s*(?P<command>.*?)\s*-->\s*```\n(.*?)```", re.S
)
SHELL_OUTPUT_LIKE = re.compile(r"^([-+\d.\[(\"'A-Z])")
HERE_DOCUMENT = re.compile(r"<<-?\s*'?(\w+)'?")
COMMENT = re.compile(r"\s+#(.*)$")  # the doc's commands hold no '#' of their own


def shell_commands(code: str) -> list[tuple[str, str | None]]:
    """(command, its expected output or None) of a ```bash block: a here
    document goes with its command; a trailing output-like comment, or the
    comment lines right below, is the expected output."""
    lines, commands, i = code.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue  # comment lines not below a command are prose
        found = COMMENT.search(line)
        command = line[: found.start()] if found else line
        expected = found[1].strip() if found else None
        if expected is not None and not SHELL_OUTPUT_LIKE.match(expected):
            expected = None
        here = HERE_DOCUMENT.search(command)
        if here:
            end = lines.index(here[1], i)
            command = "\n".join([command, *lines[i : end + 1]])
            i = end + 1
        below = []
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            below.append(lines[i].lstrip()[1:].strip())
            i += 1
        if below:
            expected = "\n".join(below)
        commands.append((command.strip(), expected))
    return commands


def shell_environment(folder: Path) -> dict[str, str]:
    """``plainnet`` and ``python`` as the tests run them, this very plainnet."""
    bin_folder = folder / ".bin"
    bin_folder.mkdir()
    for name, start in (("plainnet", "-m plainnet "), ("python", "")):
        script = bin_folder / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {start}"$@"\n')
        script.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(bin_folder), env.get("PATH", "")])
    source = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return env


def run_command(command: str, folder: Path, env: dict, where: str):
    """Run one command; its stdout, or None if it says an extra is missing."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # no command of the docs takes a minute
        check=False,
    )
    if result.returncode and 'pip install ".[' in result.stderr:
        return None
    assert result.returncode == 0, f"{where}: `{command}` failed:\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_blocks_run_and_print_what_they_say(document, tmp_path):
    text = document.read_text("utf-8")
    outputs = {m["command"]: m[2] for m in OUTPUT_BLOCK.finditer(text)}
    env, ran, skipped = shell_environment(tmp_path), set(), {}
    for m in SHELL_BLOCK.finditer(text):
        if m["skip"]:
            continue
        line = text.count("\n", 0, m.start("code")) + 1
        where = f"{document.relative_to(ROOT)}:{line}"
        for command, expected in shell_commands(m["code"]):
            if command.startswith("pip install"):
                continue
            printed = run_command(command, tmp_path, env, where)
            if printed is None:
                skipped[command] = f"{where}: `{command}` needs an extra"
                continue
            ran.add(command)
            for shown in (expected, outputs.get(command)):
                assert shown is None or matches(printed.strip(), shown), (
                    f"{where}: `{command}` printed {printed!r}, the text says {shown!r}"
                )
    assert not set(outputs) - ran - set(skipped), (
        "an <!-- output: --> block names a command that no block runs"
    )
    if skipped:
        pytest.skip("; ".join(skipped.values()))


def test_the_checker_reads_shell_blocks():
    code = (
        "plainnet train x.csv     # saves model.npz\n"
        "plainnet think 1 0 0     # Prediction: 0.99...\n"
        "python - <<'PY'\nprint(1)  # one\nPY\n"
        "plainnet info m.npz\n# ... layers\n#   2 Dense\n"
        "\n# prose before a command\nplainnet evaluate m.npz t.csv\n"
    )
    assert shell_commands(code) == [
        ("plainnet train x.csv", None),
        ("plainnet think 1 0 0", "Prediction: 0.99..."),
        ("python - <<'PY'\nprint(1)  # one\nPY", None),
        ("plainnet info m.npz", "... layers\n2 Dense"),
        ("plainnet evaluate m.npz t.csv", None),
    ]
