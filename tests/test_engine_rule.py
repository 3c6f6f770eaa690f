"""The engine names no array library: its modules compute through a backend
(``ops``) and name NumPy only in type hints, so that the same layers run on any
device. This walks their source."""

import ast
from pathlib import Path

import plainnet

PACKAGE = Path(plainnet.__file__).resolve().parent
ENGINE = [
    *sorted((PACKAGE / "layers").glob("*.py")),
    *(
        PACKAGE / f"{name}.py"
        for name in (
            "losses",
            "optimizers",
            "training",
            "network",
            "callbacks",
            "hooks",
        )
    ),
]
LIBRARIES = {"numpy", "np", "cupy", "cp"}


def annotations(tree: ast.Module) -> set[int]:
    """The ids of every node inside a type hint (annotations, and type aliases:
    module-level names given a subscripted type such as ``Callable[...]``)."""
    hints: list[ast.AST] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)
    ]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            hints += [a.annotation for a in every if a.annotation is not None]
            if node.returns is not None:
                hints.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            hints.append(node.annotation)
    return {id(inner) for hint in hints for inner in ast.walk(hint)}


def uses_outside_hints(path: Path) -> list[str]:
    """Every use of an array library's name outside type hints, as
    ``file:line: text``, and every import of one other than ``import numpy as
    np`` (which type hints need)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hinted = annotations(tree)
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name) and node.id in LIBRARIES:
            name = node.id if id(node) not in hinted else None
        elif (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] in LIBRARIES
        ):
            name = f"from {node.module} import ..."
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES and (
                    alias.name,
                    alias.asname,
                ) != ("numpy", "np"):
                    name = f"import {alias.name}"
        if name is not None:
            found.append(f"{path.name}:{node.lineno}: {name}")
    return sorted(found, key=lambda text: int(text.split(":")[1]))


def test_the_engine_names_numpy_only_in_type_hints():
    assert len(ENGINE) > 10
    bad = [use for path in ENGINE for use in uses_outside_hints(path)]
    assert bad == []


def test_the_walk_finds_a_stray_call(tmp_path):
    module = tmp_path / "stray.py"
    module.write_text(
        "import numpy as np\n"
        "def f(x: np.ndarray) -> np.ndarray:\n"
        "    y: np.ndarray = x\n"
        "    return np.exp(y)\n"
        "Hook = Callable[[np.ndarray], None]\n"
        "from numpy import exp\n"
    )
    assert uses_outside_hints(module) == [
        "stray.py:4: np",
        "stray.py:6: from numpy import ...",
    ]
