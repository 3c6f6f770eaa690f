"""No function longer than 50 lines of code and no class longer than 300 in
``src/plainnet``.

A line of code is a line that is neither blank nor only a comment, from the
first decorator to the last line of the body; the docstrings of the function
or class and of everything nested in it are not counted. A nested function
counts in its enclosing function's lines as well as in its own. Longer code
is split into named pieces, each one idea (not into arbitrary halves)."""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "plainnet"
LIMITS = {"function": 50, "class": 300}
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _docstring_lines(node: ast.AST) -> set[int]:
    """The line numbers of every docstring inside ``node`` (its own included)."""
    lines: set[int] = set()
    for inner in ast.walk(node):
        if isinstance(inner, (*DEFINITIONS, ast.Module)) and inner.body:
            first = inner.body[0]
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def code_lines(node: ast.AST, source: list[str]) -> int:
    """The lines of code of a function or class definition."""
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    skipped = _docstring_lines(node)
    return sum(
        1
        for number in range(start, node.end_lineno + 1)
        if number not in skipped
        and source[number - 1].strip()
        and not source[number - 1].strip().startswith("#")
    )


def too_long(root: Path) -> list[str]:
    """``path:line kind name: N lines (limit L)`` for each definition over its
    limit under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        source = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, DEFINITIONS):
                continue
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            size = code_lines(node, source)
            if size > LIMITS[kind]:
                where = path.relative_to(root.parent)
                found.append(
                    f"{where}:{node.lineno} {kind} {node.name}: {size} lines "
                    f"(limit {LIMITS[kind]})"
                )
    return found


def test_no_function_over_50_lines_and_no_class_over_300():
    found = too_long(SOURCE)
    assert not found, "split into named pieces:\n" + "\n".join(found)


def test_the_count_leaves_out_docstrings_comments_and_blank_lines():
    text = '''
@decorator
def f(x):
    """A docstring
    of two lines."""

    # a comment
    def g():
        """Nested docstring."""
        return x

    return g
'''
    source = text.splitlines()
    f = ast.parse(text).body[0]
    assert code_lines(f, source) == 5  # decorator, def f, def g, two returns
    assert code_lines(f.body[1], source) == 2
