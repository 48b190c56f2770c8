"""Apps use each other's public seams only: no module imports a private name (one starting with "_")
from another app, nor a private module of another app (`beheer.servicedesk.services._base`), nor
reads a private attribute of another app's module (`services._now`).

Within an app, private helpers are shared freely (`from ._base import _lock`). What another app
needs is published: generic helpers live in `beheer.core`, domain ones are public functions of the
owning app's package. The check reads the source (AST), so it also covers code that is not imported
at test time; it holds for the apps' own tests too (the cross-app tests in `tests/` may look
inside). Django's model API (`Model._meta`, `_default_manager`) is public despite its underscore."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "beheer"
DJANGO_PUBLIC = {"_meta", "_default_manager", "_base_manager"}

# Known exceptions, each with the reason it waits; remove a line when its import is gone (a line
# that matches nothing fails the test, so the list can only shrink).
WAITING: set[str] = set()


def _is_private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in DJANGO_PUBLIC


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_of(module: str) -> str | None:
    """The app a `beheer.<app>...` module belongs to; None for the project's own modules."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "beheer" or not (PACKAGE / parts[1]).is_dir():
        return None
    return parts[1]


def _absolute(module: str | None, level: int, here: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    base = here.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _private_part(module: str) -> str | None:
    return next((part for part in module.split(".") if _is_private(part)), None)


def private_imports(source: str, here: str, *, label: str, is_package: bool = False) -> list[str]:
    """Every use in the source of module `here` of another app's private name or module."""
    own_app = _app_of(here)
    tree = ast.parse(source, filename=label)
    found: list[str] = []
    foreign: set[str] = set()  # local names bound to another app's modules

    def other_app(module: str) -> bool:
        app = _app_of(module)
        return app is not None and app != own_app

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not other_app(alias.name):
                    continue
                if part := _private_part(alias.name):
                    found.append(f"{label}:{node.lineno} imports {alias.name} ({part})")
                foreign.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, here, is_package)
            if not other_app(module):
                continue
            if part := _private_part(module):
                found.append(f"{label}:{node.lineno} imports from {module} ({part})")
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{label}:{node.lineno} imports {alias.name} from {module}")
                else:
                    foreign.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign
        ):
            found.append(f"{label}:{node.lineno} reads {node.value.id}.{node.attr}")
    return found


def _findings(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    label = path.relative_to(ROOT).as_posix()
    return private_imports(source, _module_of(path), label=label, is_package=path.name == "__init__.py")


def _waiting(line: str) -> str | None:
    where, _colon, rest = line.partition(":")
    what = rest.partition(" ")[2]
    key = f"{where} {what}"
    return key if key in WAITING else None


def test_no_app_imports_another_apps_private_names() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _findings(path)]
    new = [line for line in found if _waiting(line) is None]
    assert new == [], "private names used across apps:\n" + "\n".join(new)
    unused = WAITING - {_waiting(line) for line in found}
    assert unused == set(), "an exception that is no longer needed"


def test_the_check_sees_each_form() -> None:
    """The check itself: each way of reaching a private name of another app is reported."""
    source = (
        "from beheer.servicedesk.services._base import lookup_defaults\n"
        "from beheer.servicedesk.services import _now, open_melding\n"
        "from beheer.servicedesk import services\n"
        "import beheer.servicedesk.services._base\n"
        "from ._own import _fine\n"
        "from ..models import _also_fine\n"
        "from beheer.core.text import _core_too\n"
        "services._lock(None)\n"
        "services.open_melding(None)\n"
    )
    found = private_imports(source, "beheer.problems.services.sample", label="sample.py")
    assert len(found) == 5, found
    assert "imports from beheer.servicedesk.services._base (_base)" in found[0]
    assert "imports _now from beheer.servicedesk.services" in found[1]
    assert "imports beheer.servicedesk.services._base (_base)" in found[2]
    assert "imports _core_too from beheer.core.text" in found[3]
    assert "reads services._lock" in found[4]
