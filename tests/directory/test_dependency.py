"""The incidents app never depends on the directory: the directory registers itself."""

from __future__ import annotations

import ast
from pathlib import Path

import hikeshi.incidents

INCIDENTS = Path(hikeshi.incidents.__file__).parent


def _imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_incidents_module_imports_the_directory() -> None:
    modules = sorted(INCIDENTS.rglob("*.py"))
    assert len(modules) > 20  # the scan really reads the app
    offenders = [
        f"{source.relative_to(INCIDENTS)}: {name}"
        for source in modules
        for name in sorted(_imported_modules(source))
        if name == "hikeshi.directory" or name.startswith("hikeshi.directory.")
    ]
    assert offenders == []


def test_the_scan_sees_an_import_of_the_directory(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text("from hikeshi import directory\nimport hikeshi.directory.selectors\n")
    assert {"hikeshi.directory", "hikeshi.directory.selectors"} <= _imported_modules(source)


def test_no_incidents_template_includes_a_directory_template() -> None:
    templates = sorted((INCIDENTS / "templates").rglob("*.html"))
    assert templates
    assert [t.name for t in templates if '"directory/' in t.read_text(encoding="utf-8")] == []
