"""The benchmark scripts run outside the test suite and import Beheer inside their functions; a name
that moved in the code must move in them too. Every `from beheer... import name` in bench/ is
checked here, wherever it stands in the file."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _imports() -> list[tuple[str, int, str, str]]:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("beheer"):
                found += [(path.name, node.lineno, node.module, alias.name) for alias in node.names]
    return found


def test_the_benchmarks_import_beheer() -> None:
    assert len(_imports()) >= 5  # the scripts still read Beheer's code (the check is not vacuous)


@pytest.mark.parametrize(("script", "line", "module", "name"), _imports())
def test_every_name_the_benchmarks_import_exists(script: str, line: int, module: str, name: str) -> None:
    imported = importlib.import_module(module)
    assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}") is not None, (
        f"bench/{script}:{line} imports {name} from {module}, which has no such name"
    )
