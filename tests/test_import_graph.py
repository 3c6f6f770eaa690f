"""plainnet's modules import each other without cycles, and ``import plainnet``
loads none of the optional extras."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import plainnet
from cli_helpers import environment

PACKAGE = Path(plainnet.__file__).resolve().parent
OPTIONAL = (
    "sklearn",
    "matplotlib",
    "dask",
    "distributed",
    "mpi4py",
    "onnx",
    "onnxruntime",
    "numba",
    "scipy",
)


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["plainnet", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imported(
    module: str, path: Path, modules: dict[str, Path], anywhere: bool = False
) -> set[str]:
    """The plainnet modules that ``module`` imports at module level (or anywhere,
    in functions too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    edges = set()
    for node in ast.walk(tree) if anywhere else tree.body:
        if isinstance(node, ast.Import):
            edges |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(filter(None, [base, node.module]))
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                edges.add(submodule if submodule in modules else source)
    return {name for name in edges if name in modules}


def loaded_by_import_plainnet(*names: str) -> list[str]:
    """The modules in ``sys.modules`` after ``import plainnet``, in a fresh Python,
    that start with one of ``names``."""
    code = (
        f"import json, sys, plainnet; names = {names!r}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in names)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first == last), or None."""
    state: dict[str, str] = {}  # "open" while on the path, then "done"
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_finder_sees_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_edges_of_relative_imports():
    modules = module_names()
    edges = imported("plainnet.classic", modules["plainnet.classic"], modules)
    assert {"plainnet.layers", "plainnet.network", "plainnet.model_files"} <= edges
    edges = imported("plainnet", modules["plainnet"], modules)
    assert {"plainnet.gradcheck", "plainnet._version"} <= edges


def test_import_plainnet_loads_modules_without_a_cycle():
    modules = module_names()
    loaded = set(loaded_by_import_plainnet("plainnet")) & set(modules)
    assert "plainnet.model_files" in loaded
    graph = {name: imported(name, modules[name], modules) & loaded for name in loaded}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_imports_another_that_imports_it_back_even_in_a_function():
    modules = module_names()
    graph = {
        name: imported(name, path, modules, anywhere=True)
        for name, path in modules.items()
    }
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_model_files_import_no_model_class_but_sequential():
    # Each model class registers its own kind; the package imports the modules
    # of OPTIONAL_KINDS only by name, when a file needs them.
    modules = module_names()
    forbidden = {"plainnet.classic", "plainnet.sklearn", "plainnet.cli"}
    assert forbidden <= set(modules)
    for name, path in modules.items():
        if name.split(".")[:2] == ["plainnet", "model_files"]:
            edges = imported(name, path, modules, anywhere=True)
            assert not edges & forbidden, name


def test_import_plainnet_loads_no_optional_extra():
    assert loaded_by_import_plainnet(*OPTIONAL) == []


def test_import_plainnet_loads_no_web_server():
    # the playground and its HTTP server load only for `plainnet playground`
    assert loaded_by_import_plainnet("http", "socketserver", "webbrowser") == []
    loaded = loaded_by_import_plainnet("plainnet")
    assert not [name for name in loaded if name.startswith("plainnet.playground")]
    assert "plainnet.cli.playground" not in loaded
