"""Interfaces hold no ORM queries: they read through selectors and write through services.

The interfaces are every module of ``hikeshi.api``, ``hikeshi.cli`` and ``hikeshi.web``, and
every app's views (``views.py`` or the ``views/`` package) and forms (``forms.py`` or
``forms/``). Each is parsed, not imported, and fails on

- any ``.objects`` (a model manager: a query or a write outside a service or selector);
- a call of a method only a queryset has (``filter``, ``order_by``, ``values_list`` …),
  whatever it is called on: a related manager (``incident.checklist.filter``) is a query too.

Forms follow the same rule: a form cleans what was typed into plain values (a selector's
filter object, a user name) and a selector or service does the reading; a choice field
that needs rows from the database gets them from its view, read through a selector. None
does so today, so ModelChoiceField querysets have no exception here.

``values`` also belongs to dicts: it is reported only when called with arguments, so
``mapping.values()`` passes while ``rows.values("id")`` fails (dict.values takes none).

ALLOWED lists deliberate exceptions as (path relative to src/hikeshi, line text); it is
empty, and each entry it ever gets must say why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hikeshi"
INTERFACE_PACKAGES = ("api", "cli", "web")
# Methods that only a QuerySet (or a manager) has.
QUERYSET_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "annotate",
        "aggregate",
        "values_list",
        "only",
        "defer",
        "in_bulk",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "raw",
        "extra",
        "select_for_update",
    }
)
# ``values`` is also dict.values(): a queryset only when it names fields.
FIELD_METHODS = frozenset({"values"})
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def interface_modules() -> Iterator[Path]:
    """Yield every interface module's path."""
    for name in INTERFACE_PACKAGES:
        yield from sorted((PACKAGE / name).rglob("*.py"))
    for app in sorted(path for path in PACKAGE.iterdir() if (path / "apps.py").exists()):
        for layer in ("views", "forms"):
            if (app / f"{layer}.py").exists():
                yield app / f"{layer}.py"
            if (app / layer).is_dir():
                yield from sorted((app / layer).rglob("*.py"))


def orm_uses(path: Path) -> list[tuple[int, str]]:
    """Return (line, what) for every ORM query or write the module makes itself, in order."""
    return sorted(_orm_uses(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))


def _orm_uses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            yield node.lineno, ".objects"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in QUERYSET_METHODS:
                yield node.lineno, f".{method}()"
            elif method in FIELD_METHODS and (node.args or node.keywords):
                yield node.lineno, f".{method}(…)"


def test_interface_modules_are_found() -> None:
    found = {path.relative_to(PACKAGE).as_posix() for path in interface_modules()}
    assert "api/incidents.py" in found
    assert "cli/incidents.py" in found
    assert "incidents/views/listing.py" in found
    assert "incidents/forms/filters.py" in found
    assert "sitelog/views.py" in found


def test_the_check_sees_queries(tmp_path: Path) -> None:
    module = tmp_path / "view.py"
    module.write_text(
        "def page(incident, mapping):\n"
        "    rows = Incident.objects.all()\n"
        "    items = incident.checklist.filter(done=True)\n"
        "    names = rows.values('title')\n"
        "    return rows, items, names, mapping.values()\n",
        encoding="utf-8",
    )
    assert orm_uses(module) == [(2, ".objects"), (3, ".filter()"), (4, ".values(…)")]


@pytest.mark.parametrize(
    "path", list(interface_modules()), ids=lambda path: path.relative_to(PACKAGE).as_posix()
)
def test_interface_makes_no_orm_query(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    where = path.relative_to(PACKAGE).as_posix()
    found = [
        f"src/hikeshi/{where}:{line}: {what}  {lines[line - 1].strip()}"
        for line, what in orm_uses(path)
        if (where, lines[line - 1].strip()) not in ALLOWED
    ]
    assert not found, "read through a selector, write through a service:\n" + "\n".join(found)
