"""The app layers of pyproject.toml ([tool.importlinter], checked by `make lint` for imports) hold
for the migration graph too: an app's migrations depend only on apps below it, so an app can be
migrated (and later split off) without the apps above it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent


def layer_ranks() -> dict[str, int]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    ranks: dict[str, int] = {}
    for height, line in enumerate(reversed(layers)):
        for name in line.replace(":", "|").split("|"):
            ranks[name.strip()] = height
    return ranks


def test_every_project_app_has_a_layer() -> None:
    ranks = layer_ranks()
    ours = {c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("beheer.")}
    assert ours - set(ranks) == set(), (
        "an app without a layer: add it to [tool.importlinter] in pyproject.toml"
    )


def test_migrations_depend_only_on_lower_apps() -> None:
    ranks = layer_ranks()
    labels = {c.label: c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("beheer.")}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # The user model is the one model every app may point at (as in Django's own apps).
    user_label = get_user_model()._meta.app_label
    upward = set()
    for (label, name), migration in loader.disk_migrations.items():
        if label not in labels:
            continue
        for dep_label, _dep_name in migration.dependencies:
            other = dep_label in labels and dep_label not in (label, user_label)
            if other and ranks[labels[dep_label]] >= ranks[labels[label]]:
                upward.add((label, name, dep_label))
    assert upward == set(), "a migration depends on an app at its own level or above"
