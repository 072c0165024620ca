"""`hikeshi init [--demo]`: the first administrator once, the demo incident once."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.models import User
from typer.testing import Result

from hikeshi.incidents.audit.verify import verify_incident
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.vocabulary import Priority, TimePrecision

Run = Callable[..., Result]


def test_init_creates_the_admin_once_and_shows_the_password_once(hikeshi: Run) -> None:
    first = hikeshi("init")
    assert first.exit_code == 0, first.output
    assert "shown only this once" in first.stdout
    passwords = re.findall(r"^ {4}(\S+)$", first.stdout, flags=re.MULTILINE)
    assert len(passwords) == 1
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(passwords[0])

    second = hikeshi("init")
    assert second.exit_code == 0, second.output
    assert second.output == ""
    assert User.objects.filter(is_superuser=True).count() == 1


def test_init_leaves_an_existing_administrator_alone(hikeshi: Run, site_admin: User) -> None:
    result = hikeshi("init")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


def test_demo_is_loaded_once(hikeshi: Run) -> None:
    first = hikeshi("init", "--demo")
    assert first.exit_code == 0, first.output
    assert "Loaded the demo incident" in first.stdout
    second = hikeshi("init", "--demo")
    assert second.exit_code == 0, second.output
    assert second.output == ""
    assert Incident.objects.filter(is_demo=True).count() == 1


def test_demo_is_a_triaged_ransomware_case_with_records_and_timeline(hikeshi: Run) -> None:
    hikeshi("init", "--demo")
    demo = Incident.objects.get(is_demo=True)
    assert demo.title.startswith("【デモ】")
    assert "ransomware" in demo.types
    assert demo.priority == Priority.CRITICAL
    assert demo.what_happened and demo.location and demo.reporter
    assert demo.estimated_start_precision == TimePrecision.ABOUT
    manual = ActionRecord.objects.filter(incident=demo, kind="manual")
    isolation = manual.get(what__contains="ネットワークから隔離", scope__contains="PC")
    assert isolation.settings_text
    assert manual.filter(what__contains="プロキシログ").exists()
    precisions = set(demo.events.values_list("precision", flat=True))
    assert {TimePrecision.ABOUT, TimePrecision.EXACT} <= precisions
    assert verify_incident(demo) == []
