"""The load benchmark's data set: a deployment's worth of incidents, built fast and valid.

What it holds (``Size``, defaults): 10,000 incidents of many clients over three years, each
with one or two types and the checklist the guidance gives them (about 119 items on
average, so 1.19 M in all), a lead and 50 responders as members; and one more incident with
1,000,000 imported timeline events and 2,023 action records. Accounts: ``bench-admin`` (a
site administrator), ``bench-lead`` and ``bench-01`` … ``bench-50``, all with ``PASSWORD``,
each with an API token.

How it is built, and what that means for the record:

- The big incident goes through the services as a person would make it: ``open_incident``,
  ``set_membership`` for each responder, ``import_csv`` in files of 100,000 rows (the import
  limit) and ``append_action`` for the remaining action records. Its chain verifies as
  ``hikeshi audit verify`` expects, every event covered by its import's record.
- The other incidents are written in bulk (``bulk_create``: incident, types, members and
  checklist items with a realistic mix of done, in-progress and not-applicable items), then
  each gets one record through ``append_action``: "incident opened", covering the
  incident's record items, its members and its whole checklist as written. Their chains
  verify too (digests and seals are the services' own), but they hold one record where a
  real incident would hold one per change: the work on their checklists has no records of
  its own.
- Accounts are made directly with one password hash shared by all (hashing Argon2 fifty
  times is slow and proves nothing here), each with its site-log entry.

Run as ``python -m benchmarks.dataset`` with Django's settings pointing at an empty (or
unmigrated) database; ``benchmarks.load`` does that and keeps the result (see there).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Bump when the generator writes different data: a cached data set of another version is
# built again.
GENERATOR_VERSION = 1
PASSWORD = "bench-load-password-not-secret"  # noqa: S105 - a benchmark's throw-away accounts
ADMIN = "bench-admin"
LEAD = "bench-lead"
FACTS_FILE = "dataset.json"
IMPORT_ROWS = 100_000  # the import limit (services.timeline_import.IMPORT_LIMIT_ROWS)
BATCH = 500  # incidents written per transaction

# Type combinations, used in turn: their checklists average 118.9 items.
TYPE_CYCLE: tuple[tuple[str, ...], ...] = (
    ("ransomware",),
    ("ransomware", "virus_infection"),
    ("information_leak",),
    ("spoofed_email",),
    ("account_takeover",),
    ("apt",),
    ("virus_infection",),
    ("web_tampering",),
    ("banking_fraud",),
    ("insider", "information_leak"),
    ("system_outage",),
    ("spoofed_email", "account_takeover"),
    ("ransomware", "system_outage"),
    ("virus_infection", "information_leak"),
)
# Status of the bulk incidents, with weights: most of a deployment's history is closed.
STATUS_WEIGHTS = {
    "closed": 60,
    "recovery": 8,
    "reporting": 5,
    "response": 10,
    "triage": 7,
    "detected": 5,
    "not_incident": 5,
}
CLIENTS = 300
FIRST_DETECTION = datetime(2023, 1, 10, 0, 0, tzinfo=UTC)
HISTORY = timedelta(days=3 * 365)


@dataclass(frozen=True)
class Size:
    """How much to generate."""

    incidents: int = 10_000  # besides the big one
    events: int = 1_000_000  # the big incident's imported events
    actions: int = 2_023  # the big incident's action records, all told
    users: int = 50  # responders, members of every incident

    def key(self) -> str:
        """Return a short name of this size, for the cache's folder and database."""
        return f"i{self.incidents}-e{self.events}-a{self.actions}-u{self.users}"


def user_name(number: int) -> str:
    return f"bench-{number:02d}"


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _accounts(size: Size) -> dict[str, Any]:
    """Create the accounts and their API tokens; return names, ids and tokens."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction

    from hikeshi.accounts.tokens import issue_token
    from hikeshi.sitelog.services import SiteEventKind, record_site_event

    hashed = make_password(PASSWORD)
    names = [ADMIN, LEAD] + [user_name(n) for n in range(1, size.users + 1)]
    tokens: dict[str, str] = {}
    ids: dict[str, int] = {}
    with transaction.atomic():
        for name in names:
            admin = name == ADMIN
            user = User(username=name, password=hashed, is_superuser=admin, is_staff=admin)
            user.save()
            record_site_event(
                SiteEventKind.USER_CREATED,
                actor=None,
                subject=name,
                detail={"via": "benchmark", "site_admin": admin, "password": "set"},
            )
            ids[name] = user.pk
            tokens[name] = issue_token(user, "load benchmark", actor=None, via="benchmark")[1]
    return {"users": names, "user_ids": ids, "tokens": tokens}


def _big_incident(size: Size, say: Callable[[str], None]) -> int:
    """Create the big incident through the services; return its id."""
    from django.contrib.auth.models import User

    from benchmarks.timeline import START, action_times, generated_csv
    from hikeshi.incidents.models import ActionRecord
    from hikeshi.incidents.services.actions import ActionInput, append_action
    from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
    from hikeshi.incidents.services.timeline_import import import_csv
    from hikeshi.incidents.vocabulary import Role

    lead = User.objects.get(username=LEAD)
    incident = open_incident(
        lead,
        IncidentInput(
            title="【大規模】標的型攻撃（APT）: 全拠点のファイアウォールログ",
            detected_at=START,
            types=["apt"],
            organisation="株式会社ベンチマーク",
            what_happened="複数拠点の端末から外部への不審な通信。全拠点のログを取り込んで調査中。",
            time_zone="Asia/Tokyo",
        ),
    )
    for number in range(1, size.users + 1):
        member = User.objects.get(username=user_name(number))
        set_membership(lead, incident.pk, member, Role.RESPONDER)
    files = math.ceil(size.events / IMPORT_ROWS)
    for number in range(files):
        rows = min(IMPORT_ROWS, size.events - number * IMPORT_ROWS)
        began = time.perf_counter()
        report = import_csv(
            lead, incident, f"fw{number + 1:02d}.csv", [generated_csv(rows, seed=100 + number)]
        )
        if report.error or report.rejected:
            raise SystemExit(f"the generated CSV was refused: {report.error or report.rejected[0]}")
        say(
            f"  import {number + 1}/{files}: {rows:,} events in {time.perf_counter() - began:.1f} s"
        )
    existing = ActionRecord.objects.filter(incident=incident).count()
    for n, at in enumerate(action_times(max(0, size.actions - existing))):
        append_action(
            incident.pk,
            lead,
            ActionInput(what=f"対応 {n + 1}", performed_at=at, scope=f"PC-{n % 40:02d}"),
        )
    return int(incident.pk)


def _checklist_rows(
    incident_id: int, steps: list[Any], status: str, rng: random.Random, when: datetime
) -> list[Any]:
    """Return the checklist items of one incident, worked on as far as its status suggests."""
    from hikeshi.incidents.models import ChecklistItem

    share_done = {
        "closed": 0.9,
        "recovery": 0.7,
        "reporting": 0.5,
        "response": 0.3,
        "triage": 0.05,
    }.get(status, 0.0)
    items = []
    for position, step in enumerate(steps, start=1):
        item = ChecklistItem(
            incident_id=incident_id,
            key=step.key,
            phase=step.phase,
            group=step.group,
            requirement=step.requirement,
            position=position,
        )
        draw = rng.random()
        if draw < share_done:
            item.status = "done"
            item.performed_at = when + timedelta(hours=position)
            item.scope = f"PC-{rng.randrange(1, 60):02d} ほか"
            item.settings_text = "手順どおり実施。結果は対応記録を参照。"
        elif status == "closed" or draw > 0.97:
            item.status = "not_applicable"
            item.not_applicable_reason = "該当する機器なし"
        elif draw < share_done + 0.05:
            item.status = "in_progress"
        items.append(item)
    return items


def _bulk_incidents(size: Size, facts: dict[str, Any], say: Callable[[str], None]) -> None:
    """Write the bulk incidents, each with one opening record vouching for all of it."""
    from django.db import transaction
    from django.utils import translation

    from hikeshi.guidance.checklist import checklist_steps
    from hikeshi.guidance.knowledge import knowledge_base
    from hikeshi.incidents.action_kinds import ActionKind
    from hikeshi.incidents.audit.rows import CHECKLIST, INCIDENT, MEMBERS
    from hikeshi.incidents.models import ChecklistItem, Incident, IncidentTypeTag, Membership
    from hikeshi.incidents.services.actions import ActionInput, append_action
    from hikeshi.incidents.vocabulary import IncidentType, Role, derive_priority

    rng = random.Random(20261203)
    knowledge = knowledge_base()
    steps = {types: checklist_steps(knowledge, list(types)) for types in TYPE_CYCLE}
    with translation.override("ja"):
        type_names = {code: str(label) for code, label in IncidentType.choices}
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    ids = facts["user_ids"]
    lead_id = ids[LEAD]
    members = [ids[user_name(n)] for n in range(1, size.users + 1)]
    from django.contrib.auth.models import User

    lead = User.objects.get(pk=lead_id)
    began = time.perf_counter()
    items_written = 0
    for start in range(0, size.incidents, BATCH):
        numbers = range(start, min(start + BATCH, size.incidents))
        with transaction.atomic():
            incidents = []
            for n in numbers:
                types = TYPE_CYCLE[n % len(TYPE_CYCLE)]
                status = rng.choices(statuses, weights)[0]
                detected = FIRST_DETECTION + HISTORY * n / size.incidents
                client = f"株式会社サンプル{rng.randrange(CLIENTS):03d}"
                triaged = status not in {"detected", "triage"}
                urgency = rng.randint(1, 3) if triaged and status != "not_incident" else None
                impact = rng.randint(1, 3) if urgency else None
                incidents.append(
                    Incident(
                        title=f"{client}: {'・'.join(type_names[t] for t in types)}",
                        organisation=client,
                        detected_at=detected,
                        estimated_start=detected - timedelta(days=rng.randrange(1, 30)),
                        reporter="情報システム部",
                        location=f"本社 {rng.randrange(1, 9)}F、支社ファイルサーバ",
                        what_happened="端末で不審な挙動を検知。影響範囲を調査中。",
                        status=status,
                        is_incident=None if not triaged else status != "not_incident",
                        not_incident_reason="誤検知" if status == "not_incident" else "",
                        urgency=urgency,
                        impact=impact,
                        priority=derive_priority(urgency, impact),
                        triaged_at=detected + timedelta(hours=2) if triaged else None,
                    )
                )
            Incident.objects.bulk_create(incidents)
            tags, memberships, items = [], [], []
            for n, incident in zip(numbers, incidents, strict=True):
                types = TYPE_CYCLE[n % len(TYPE_CYCLE)]
                tags += [IncidentTypeTag(incident_id=incident.pk, code=code) for code in types]
                memberships.append(
                    Membership(incident_id=incident.pk, user_id=lead_id, role=Role.LEAD)
                )
                memberships += [
                    Membership(incident_id=incident.pk, user_id=member, role=Role.RESPONDER)
                    for member in members
                ]
                items += _checklist_rows(
                    incident.pk, steps[types], incident.status, rng, incident.detected_at
                )
            IncidentTypeTag.objects.bulk_create(tags)
            Membership.objects.bulk_create(memberships, batch_size=5000)
            ChecklistItem.objects.bulk_create(items, batch_size=5000)
            items_written += len(items)
            for incident in incidents:
                append_action(
                    incident.pk,
                    lead,
                    ActionInput(
                        what="インシデントを起票",
                        performed_at=incident.detected_at,
                        settings=f"generated by the load benchmark (v{GENERATOR_VERSION})",
                    ),
                    kind=ActionKind.INCIDENT_OPENED,
                    covers=[INCIDENT, MEMBERS, CHECKLIST],
                )
        done = numbers.stop
        elapsed = time.perf_counter() - began
        say(
            f"  incidents {done:,}/{size.incidents:,}, {items_written:,} checklist items "
            f"({elapsed:.0f} s, about {elapsed / done * (size.incidents - done):.0f} s to go)"
        )


def _facts(size: Size, facts: dict[str, Any], big: int) -> dict[str, Any]:
    """Return what the benchmark needs to know about the data set."""
    from django.db.models import Count

    from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident, TimelineEvent

    largest = (
        ChecklistItem.objects.values("incident_id")
        .annotate(items=Count("id"))
        .order_by("-items", "incident_id")
        .first()
    )
    if largest is None:
        raise SystemExit("the data set has no checklist items")
    typical = Incident.objects.exclude(pk=big).order_by("pk").values_list("pk", flat=True)
    return {
        **facts,
        "generator_version": GENERATOR_VERSION,
        "size": asdict(size),
        "password": PASSWORD,
        "admin": ADMIN,
        "lead": LEAD,
        "big_incident": big,
        "incident": typical[len(typical) // 2],
        "largest_checklist": largest["incident_id"],
        "largest_checklist_items": largest["items"],
        "incidents": Incident.objects.count(),
        "checklist_items": ChecklistItem.objects.count(),
        "big_events": TimelineEvent.objects.filter(incident_id=big).count(),
        "big_actions": ActionRecord.objects.filter(incident_id=big).count(),
    }


def generate(size: Size, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Fill the configured (migrated, empty) database; return the facts of the data set."""
    began = time.perf_counter()
    facts = _accounts(size)
    say(f"Accounts: {len(facts['users'])}")
    big = _big_incident(size, say)
    say(f"Big incident #{big} ({time.perf_counter() - began:.0f} s)")
    _bulk_incidents(size, facts, say)
    facts = _facts(size, facts, big)
    facts["generated_in_seconds"] = round(time.perf_counter() - began)
    return facts


def verify(facts: dict[str, Any], say: Callable[[str], None] = print) -> None:
    """Verify the big incident's chain and a sample of the others; raise SystemExit if broken."""
    from hikeshi.incidents.audit.verify import verify_incident
    from hikeshi.incidents.models import Incident

    sample = [facts["big_incident"], facts["incident"], facts["largest_checklist"]]
    for incident in Incident.objects.filter(pk__in=sample):
        broken = verify_incident(incident)
        if broken:
            raise SystemExit(f"incident #{incident.pk} does not verify: {broken[0].describe()}")
    say(f"Chains verified: incidents {', '.join(f'#{pk}' for pk in sample)}")


def main(argv: list[str] | None = None) -> int:
    """Migrate the configured database, generate the data set and write its facts."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dataset", description=__doc__)
    parser.add_argument("--incidents", type=int, default=Size.incidents)
    parser.add_argument("--events", type=int, default=Size.events)
    parser.add_argument("--actions", type=int, default=Size.actions)
    parser.add_argument("--users", type=int, default=Size.users)
    parser.add_argument("--facts", type=Path, required=True, help="where to write the facts")
    args = parser.parse_args(argv)
    size = Size(args.incidents, args.events, args.actions, args.users)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    facts = generate(size, lambda text: print(text, flush=True))
    verify(facts, lambda text: print(text, flush=True))
    args.facts.write_text(json.dumps(facts, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
