"""The shape of the code, checked by reading it: thin views, one edge, no reaching into other packages' privates.

The import direction itself is import-linter's job (the contracts in pyproject.toml, run by scripts/test).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fundapp"
PACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
#: A view reads: load, check, validate, call one service, respond. More than this many lines says it does more.
MAX_VIEW_LINES = 25
#: Public despite the underscore: the translation markers every layer imports (gettext's conventional names).
PUBLIC_UNDERSCORE_NAMES = {"fundapp.core.i18n": {"_", "_l", "_n"}}


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _is_route(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in {"route", "get", "post"}
        for d in node.decorator_list
    )


def _routes(package: str) -> list[tuple[Path, ast.FunctionDef]]:
    return [(path, node) for path in _modules(package) for node in ast.walk(_tree(path)) if _is_route(node)]


@pytest.mark.parametrize("package", PACKAGES)
def test_views_are_short(package):
    """Every route function fits in MAX_VIEW_LINES lines (from `def` to its last line)."""
    long = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path, node in _routes(package)
        if node.end_lineno - node.lineno + 1 > MAX_VIEW_LINES
    ]
    assert long == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_view_commits_or_rolls_back(package):
    """The edge (core.edge) commits once per request; views never touch the transaction."""
    found = []
    for path, node in _routes(package):
        for call in ast.walk(node):
            is_method_call = isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            if is_method_call and call.func.attr in {"commit", "rollback", "begin_nested"}:
                found.append(f"{path.relative_to(PACKAGE)}:{call.lineno} {node.name}")
    assert found == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_of_another_packages_private_names(package):
    """`from fundapp.other.module import _helper` reaches into another package: ask for a public service."""
    found = []
    for path in _modules(package):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("fundapp."):
                continue
            target = node.module.split(".")[1]
            if target == package:
                continue
            found += [
                f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and alias.name not in PUBLIC_UNDERSCORE_NAMES.get(node.module, ())
            ]
    assert found == []


def test_only_the_edge_and_jobs_commit():
    """Outside core's edge, commits belong to CLI commands' transaction() and the outbox's short transactions."""
    allowed = {"core/edge.py", "notifications/services.py"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in allowed:
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                found.append(f"{rel}:{node.lineno}")
    assert found == []
