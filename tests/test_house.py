"""The house rules of ``webapp/``, checked on the source: module and function size, no import
cycles, view modules that do not import each other, and commits in one place."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "webapp"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
MAX_COMMITS_OUTSIDE_CLI = 6
#: The one documented exception to one commit per request: the call page's shared notes commit
#: updates in groups (within ~50 ms) and make automatic revisions, outside any request.
GROUPED_COMMIT_MODULES = {"webapp.live.store", "webapp.live.janitor"}


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def module_imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The ``webapp`` modules that ``name`` imports when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    add(full if full in known else base)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                    continue
                visit(node.body)
                if isinstance(node, ast.If | ast.Try):
                    visit(node.orelse)

    visit(tree.body)
    return found


def import_cycles(root: Path = PACKAGE) -> list[list[str]]:
    """Each strongly connected group of modules that import each other at import time."""
    known = modules(root)
    graph = {name: module_imports(name, path, known) for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in graph:
        if name not in index:
            connect(name)
    return cycles


def long_functions(root: Path = PACKAGE) -> Iterator[str]:
    for name, path in modules(root).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    yield f"{name}.{node.name} ({length} lines)"


def is_view_module(name: str) -> bool:
    return name.rpartition(".")[2] in ("views", "organize", "api") or name.endswith("_views")


def test_no_module_is_too_long() -> None:
    too_long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_function_is_too_long() -> None:
    assert list(long_functions()) == []


def test_no_import_cycles() -> None:
    assert import_cycles() == []


def test_view_modules_do_not_import_each_other() -> None:
    known = modules()
    crossing = {
        name: sorted(t for t in module_imports(name, path, known) if is_view_module(t))
        for name, path in known.items()
        if is_view_module(name)
    }
    assert {name: targets for name, targets in crossing.items() if targets} == {}


def test_commits_happen_in_few_places() -> None:
    places = [
        f"{name}:{number}"
        for name, path in modules().items()
        if name.rpartition(".")[2] != "cli" and name not in GROUPED_COMMIT_MODULES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "db.session.commit(" in line
    ]
    assert len(places) <= MAX_COMMITS_OUTSIDE_CLI, places


def test_the_live_notes_commit_only_in_their_grouped_commit_modules() -> None:
    committing = sorted(
        name
        for name, path in modules().items()
        if name.startswith("webapp.live")
        and any(word in path.read_text(encoding="utf-8") for word in (".commit(", ".begin()"))
    )
    assert committing == sorted(GROUPED_COMMIT_MODULES)
