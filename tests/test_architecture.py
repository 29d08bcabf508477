"""The one-way architecture, checked on the source: data flows file -> ingest ->
index -> commands, with no import circle (imports inside functions counted), no
private name of one module imported by another, and the two archive backends
beside each other on the neutral layer of ``index/``."""
from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The modules of index/ that may know a backend: the one that opens either, and
# the ingest that asks it for an archive to write to.
KNOW_BACKENDS = {"index.backends", "index.indexing"}


def modules() -> dict[str, pathlib.Path]:
    found = {"search_cli": ROOT / "search_cli.py"}
    for package in ("ingest", "index"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = modules()


def imports(name: str, path: pathlib.Path) -> list[tuple[str, str]]:
    """(module imported, name taken from it or '') for every import in the file,
    at any depth, of a module of ours."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    found.append((f"{target}.{alias.name}", ""))
                elif target in MODULES:
                    found.append((target, alias.name))
    return found


GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def test_the_module_list_is_what_the_tree_holds():
    assert {"index.archive", "index.whoosh.store", "index.postgres.store", "search_cli"} <= set(MODULES)


def test_no_import_circle():
    edges = {name: {target for target, _ in found if target != name} for name, found in GRAPH.items()}
    order, state = [], {}

    def visit(name, trail):
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", "import circle: " + " -> ".join(trail + [name])
        state[name] = "open"
        for target in sorted(edges[name]):
            visit(target, trail + [name])
        state[name] = "done"
        order.append(name)

    for name in sorted(edges):
        visit(name, [])


def test_no_private_name_crosses_modules():
    crossing = [f"{name} imports {target}.{taken}" for name, found in GRAPH.items()
                for target, taken in found if taken.startswith("_")]
    assert crossing == []


# What consumes an archive: a backend never imports these.
CONSUMERS = KNOW_BACKENDS | {"index.graph", "index.report", "index.terminal", "index.answers", "search_cli"} | {
    name for name in MODULES if name.startswith("index.web")}


@pytest.mark.parametrize("backend, other", [("index.whoosh", "index.postgres"), ("index.postgres", "index.whoosh")])
def test_a_backend_imports_the_neutral_layer_never_the_other(backend, other):
    wrong = [f"{name} imports {target}" for name, found in GRAPH.items() if name.startswith(backend)
             for target, _ in found if target.startswith(other) or target in CONSUMERS]
    assert wrong == []


def test_the_commands_know_no_backend():
    wrong = [target for target, _ in GRAPH["search_cli"] if target.startswith(("index.whoosh", "index.postgres"))]
    assert wrong == []


def test_the_neutral_layer_knows_no_backend():
    neutral = [name for name in MODULES if name.startswith("index.") and name.count(".") == 1
               and name not in KNOW_BACKENDS]
    wrong = [f"{name} imports {target}" for name in neutral for target, _ in GRAPH[name]
             if target.startswith(("index.whoosh", "index.postgres")) or target in KNOW_BACKENDS]
    assert wrong == []


def test_ingest_knows_nothing_of_the_archive():
    wrong = [f"{name} imports {target}" for name, found in GRAPH.items() if name.startswith("ingest")
             for target, _ in found if target.startswith("index") or target == "search_cli"]
    assert wrong == []


def test_the_web_is_the_end_of_the_flow_like_the_commands():
    """The web interface consumes the archive as the commands do: nothing but the
    command that starts it imports it, and it knows no backend but through
    ``backends``."""
    web = {name for name in MODULES if name.startswith("index.web")}
    wrong = [f"{name} imports {target}" for name, found in GRAPH.items() if name not in web | {"search_cli"}
             for target, _ in found if target in web]
    wrong += [f"{name} imports {target}" for name in web for target, _ in GRAPH[name]
              if target.startswith(("index.whoosh", "index.postgres"))]
    assert wrong == []
