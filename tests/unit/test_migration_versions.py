"""The migrations' register: one module per version, listed in order, none forgotten."""

from __future__ import annotations

import importlib
import pkgutil
import re

from rubdown.store import LATEST_VERSION, migrations

_MODULE_NAME = re.compile(r"v(\d{3})_[a-z0-9_]+")


def _version_modules() -> dict[str, int]:
    """Each ``vNNN_...`` module in the package, with the number its name carries."""
    names = (info.name for info in pkgutil.iter_modules(migrations.__path__))
    return {name: int(m.group(1)) for name in names if (m := _MODULE_NAME.fullmatch(name))}


def test_the_registered_versions_run_from_one_without_gaps() -> None:
    versions = [step.version for step in migrations.MIGRATIONS]

    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == LATEST_VERSION


def test_each_migration_modules_version_matches_its_file_name() -> None:
    modules = _version_modules()

    assert modules, "no vNNN_ modules found"
    for name, number in modules.items():
        module = importlib.import_module(f"{migrations.__name__}.{name}")
        assert module.MIGRATION.version == number, name


def test_every_migration_module_is_registered_once() -> None:
    registered = [step.apply.__module__ for step in migrations.MIGRATIONS]
    in_package = sorted(f"{migrations.__name__}.{name}" for name in _version_modules())

    assert sorted(registered) == in_package
    assert len(set(registered)) == len(registered)
