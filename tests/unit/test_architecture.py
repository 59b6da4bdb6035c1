"""The domain core stays pure: standard library and itself only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import rubdown.domain

DOMAIN = Path(rubdown.domain.__file__).parent
ALLOWED_OWN = ("rubdown.domain", "rubdown.errors")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_modules_import_only_the_standard_library_and_the_domain() -> None:
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if (
                name.startswith(ALLOWED_OWN)
                or top in sys.stdlib_module_names
                or top == "__future__"
            ):
                continue
            offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_domain_has_modules_to_check() -> None:
    assert len(list(DOMAIN.glob("*.py"))) >= 8
