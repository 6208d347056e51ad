"""The direction of imports between the stages (search/*/__init__.py docstrings, README "Layout").

Reads every module of ``search/`` and ``web/`` with :mod:`ast`, function-level
imports included, and checks the rules the stages promise: data flows
ingest -> index -> query, the CLI and the web app call only the names
``search/__init__.py`` exports, and no module imports itself back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "web")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


MODULES = all_modules()


def bound_names(package: str) -> set[str]:
    """The names a package's ``__init__.py`` binds at its top level (imported or defined)."""
    if package not in MODULES:
        return set()
    names = set()
    for node in ast.parse(MODULES[package].read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def imports_of(name: str) -> list[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line) for every import statement in module ``name``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                # "from . import api" takes a module, "from .x import Name" a name;
                # a name the package binds wins, as it does for Python.
                submodule = f"{target}.{alias.name}"
                if submodule in MODULES and alias.name not in bound_names(target):
                    found.append((submodule, None, node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
    return found


def local_edges() -> dict[str, set[str]]:
    """Module -> the modules of search/ and web/ it imports."""
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        targets = set()
        for target, _, _ in imports_of(name):
            # "import search.index.update" needs that module; a name from a
            # package is the package's __init__.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        edges[name] = targets
    return edges


def in_stage(name: str, stage: str) -> bool:
    return name == stage or name.startswith(stage + ".")


def offending(stage: str, forbidden: tuple[str, ...]) -> list[str]:
    """``module:line imports target`` for each import from ``stage`` of a forbidden module."""
    bad = []
    for name in MODULES:
        if not in_stage(name, stage):
            continue
        for target, _, line in imports_of(name):
            if any(in_stage(target, f) for f in forbidden):
                bad.append(f"{name}:{line} imports {target}")
    return bad


def test_the_modules_are_found():
    # A broken walk would make every rule below pass.
    for name in ("search", "search.ingest", "search.index.update", "search.query.reader", "search.export", "web"):
        assert name in MODULES
    assert local_edges()["search.query.reader"] & {"search.index", "search.query.plan"}


def test_no_import_cycle():
    edges = local_edges()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(edges[name]):
            # A module imports its parent packages first: that is order, not a cycle.
            if name.startswith(target + "."):
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[name] = 2

    for name in sorted(MODULES):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_ingest_imports_neither_whoosh_nor_the_later_stages():
    assert offending("search.ingest", ("whoosh", "search.index", "search.query", "search.export", "search.cli", "web")) == []


def test_fetch_imports_only_what_comes_before_ingest():
    assert offending("search.fetch", ("whoosh", "search.index", "search.query", "search.export", "search.cli", "web")) == []


def test_index_never_imports_the_query_stage():
    assert offending("search.index", ("search.query", "search.export", "search.cli", "web")) == []


WRITERS = ("search.index.update", "search.index.rebuild", "search.index.commit", "search.index.writer",
           "search.index.recovery", "whoosh.writing")


def test_query_never_writes():
    assert offending("search.query", ("search.ingest", "search.export", "search.cli", "web", *WRITERS)) == []
    # ... nor calls a writer through a name the index package exports.
    takes = {(target, taken) for name in MODULES if in_stage(name, "search.query") for target, taken, _ in imports_of(name)}
    assert not {taken for target, taken in takes if target == "search.index"} & {"update_index", "create_index", "record_fields"}


def test_export_reads_and_never_writes():
    assert offending("search.export", ("search.query", "search.cli", "web", *WRITERS)) == []


def public_names() -> set[str]:
    tree = ast.parse(MODULES["search"].read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return {ast.literal_eval(element) for element in node.value.elts}
    raise AssertionError("search/__init__.py has no __all__")


@pytest.mark.parametrize("caller", ["web", "search.cli"])
def test_callers_use_only_the_public_names(caller):
    public = public_names()
    bad = []
    for name in MODULES:
        if not in_stage(name, caller):
            continue
        for target, taken, line in imports_of(name):
            if in_stage(target, "web") or not in_stage(target, "search"):
                continue
            if target != "search" or taken not in public:
                bad.append(f"{name}:{line} takes {taken or target} from {target}")
    assert bad == []


def test_only_search_imports_whoosh_and_only_web_imports_flask():
    assert offending("web", ("whoosh",)) == []
    assert offending("search", ("flask", "werkzeug")) == []
