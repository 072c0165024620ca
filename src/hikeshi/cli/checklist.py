"""`hikeshi checklist …`: work through an incident's checklist (JPCERT/CC matrix, IPA guide).

Every change goes through the checklist services, which write the action record for it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hikeshi.cli.errors import CliError, UsageProblem, reports_errors
from hikeshi.cli.guidance import Language
from hikeshi.cli.runtime import (
    AsJson,
    AsUser,
    acting_user,
    find_incident,
    local_iso,
    parse_time,
    print_json,
    setup_django,
    text_table,
)

if TYPE_CHECKING:
    from hikeshi.guidance.checklist import GuidanceStep
    from hikeshi.incidents.models import ChecklistItem, Incident
    from hikeshi.incidents.services.checklist import PhaseProgress

app = typer.Typer(
    help="Work through an incident's checklist: show it, mark items done or not applicable.",
    no_args_is_help=True,
)

MATRIX_PREFIX = "matrix:"
_MARKS = {"required": "○", "conditional": "△"}
# The services name the field they refuse; here it is the option that carries it.
_OPTION_FOR_FIELD = {
    "performed_at": "--at",
    "scope": "--scope",
    "settings": "--settings",
    "note": "--note",
    "reason": "--reason",
}


class Phase(StrEnum):
    """The checklist phases, in working order (the values of the model's ChecklistPhase)."""

    INITIAL = "initial"
    SCOPE = "scope"
    PREVENTION = "prevention"
    REPORTING = "reporting"
    RECOVERY = "recovery"


class Status(StrEnum):
    """Where an item stands (the values of the model's ItemStatus)."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


IncidentArg = Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number.")]
ItemArg = Annotated[
    str,
    typer.Argument(
        metavar="ITEM",
        help="A matrix number (28), a key (matrix:28, procedure:sme.ransomware.recovery."
        "decryptor) or the item's id as '#42' (quote it: the shell reads # as a comment) "
        "or id:42.",
    ),
]


@dataclass(frozen=True)
class _Words:
    """The few words of the readable table, in one language."""

    header: tuple[str, str, str, str]
    legend: str
    progress: str  # formatted with closed, total, percent, required_open
    dropped: str
    nothing: str
    empty: str


_WORDS = {
    "ja": _Words(
        header=("項目", "要否", "状態", "内容"),
        legend="○ 必須 / △ 条件付き(条件は --json の condition)",
        progress="完了 {closed}/{total} ({percent}%)、未完了の必須 {required_open}",
        dropped=" [現在の種別では不要]",
        nothing="条件に合う項目はありません。",
        empty="チェックリストは空です(インシデント種別を設定すると生成されます)。",
    ),
    "en": _Words(
        header=("Item", "Req", "Status", "Title"),
        legend="○ required / △ conditional (when: see condition in --json)",
        progress="closed {closed}/{total} ({percent}%), required open {required_open}",
        dropped=" [no longer asked for by the incident's types]",
        nothing="No items match.",
        empty="The checklist is empty (it is generated from the incident's types).",
    ),
}


@cache
def _guidance() -> dict[str, GuidanceStep]:
    """Return every guidance step by key (the knowledge base is loaded once per process)."""
    from hikeshi.guidance.checklist import catalogue
    from hikeshi.guidance.knowledge import knowledge_base

    return catalogue(knowledge_base())


def _number(item: ChecklistItem) -> int | None:
    raw = item.key.removeprefix(MATRIX_PREFIX)
    return int(raw) if item.key.startswith(MATRIX_PREFIX) and raw.isdigit() else None


def item_label(item: ChecklistItem) -> str:
    """Return how a person names the item: ``item 28`` for the matrix, else its key."""
    number = _number(item)
    return f"item {number}" if number is not None else item.key


def item_title(item: ChecklistItem, language: str = "ja") -> str:
    """Return the item's title from the guidance (its key if the guidance dropped it)."""
    step = _guidance().get(item.key)
    return step.title.get(language) if step else item.key


def item_json(item: ChecklistItem, zone: str) -> dict[str, Any]:
    """Return the item as JSON values: the guidance's words and where the work stands."""
    step = _guidance().get(item.key)
    return {
        "id": item.pk,
        "key": item.key,
        "number": _number(item),
        "phase": item.phase,
        "group": item.group,
        "requirement": item.requirement,
        "title": {"ja": step.title.ja, "en": step.title.en}
        if step
        else {"ja": item.key, "en": item.key},
        "condition": {"ja": step.condition.ja, "en": step.condition.en}
        if step and step.condition
        else None,
        "status": item.status,
        "assignee": item.assignee.get_username() if item.assignee else None,
        "performed_at": local_iso(item.performed_at, zone),
        "scope": item.scope,
        "settings": item.settings_text,
        "not_applicable_reason": item.not_applicable_reason,
        "applies": item.applies,
        "log_checks": list(step.log_checks) if step else [],
    }


def _progress_json(entry: PhaseProgress) -> dict[str, Any]:
    return {
        "phase": entry.phase,
        "closed": entry.closed,
        "total": entry.total,
        "required_open": entry.required_open,
        "percent": entry.percent,
    }


def _ranges(numbers: list[int]) -> str:
    """Return ``1-11, 13, 15-20`` for the sorted numbers."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def find_item(incident: Incident, ref: str) -> ChecklistItem:
    """Return the incident's item named by a matrix number, a key, or ``#id`` / ``id:id``."""
    text = ref.strip()
    items = incident.checklist.select_related("assignee")
    if text.startswith("#") or text.lower().startswith("id:"):
        raw = text[1:] if text.startswith("#") else text[3:]
        if not raw.strip().isdecimal():
            raise UsageProblem(f"ITEM {ref!r}: an id is a number, as in '#42' or id:42")
        found = items.filter(pk=int(raw)).first()
        if found is None:
            raise CliError(
                f"no item #{int(raw)} in incident {incident.pk}'s checklist; "
                f"`hikeshi checklist show {incident.pk} --json` shows the ids"
            )
        return found
    key = f"{MATRIX_PREFIX}{int(text)}" if text.isdecimal() else text
    if ":" not in key:
        raise UsageProblem(
            f"ITEM {ref!r} is not a matrix number (28), a key (matrix:28, procedure:…) "
            "or an id ('#42')"
        )
    found = items.filter(key=key).first()
    if found is None:
        raise CliError(_not_found(incident, key))
    return found


def _not_found(incident: Incident, key: str) -> str:
    where = f"incident {incident.pk}'s checklist"
    keys = list(incident.checklist.values_list("key", flat=True))
    if key.startswith(MATRIX_PREFIX):
        numbers = sorted(
            int(k.removeprefix(MATRIX_PREFIX))
            for k in keys
            if k.startswith(MATRIX_PREFIX) and k.removeprefix(MATRIX_PREFIX).isdigit()
        )
        here = f"matrix items here: {_ranges(numbers)}" if numbers else "it has no matrix items"
        return f"no item {key.removeprefix(MATRIX_PREFIX)} in {where} ({here})"
    close = difflib.get_close_matches(key, keys, n=1)
    if close:
        return f"no item {key!r} in {where}; did you mean {close[0]!r}?"
    return f"no item {key!r} in {where}; `hikeshi checklist show {incident.pk}` lists them"


@contextmanager
def _options_named() -> Iterator[None]:
    """Show a service's refusal with the option to fix, as in ``--scope: say which …``."""
    from hikeshi.incidents.services.errors import InvalidInput

    try:
        yield
    except InvalidInput as error:
        option = _OPTION_FOR_FIELD.get(error.field)
        if option is None:
            raise
        raise CliError(f"{option}: {error.message}") from None


def _done_time(at: str | None, zone: str) -> datetime | None:
    if at is None:
        return None
    if at.strip().lower() == "now":
        from django.utils import timezone

        return timezone.now()
    return parse_time(at, "--at", zone)


def _report(incident: Incident, item: ChecklistItem, message: str, as_json: bool) -> None:
    if as_json:
        print_json(item_json(item, incident.time_zone))
    else:
        typer.echo(f"{message} in incident #{incident.pk}: {item_title(item)}")


def _phase_heading(phase: str, entry: PhaseProgress | None, words: _Words) -> str:
    from hikeshi.incidents.models.checklist import ChecklistPhase

    label = str(ChecklistPhase(phase).label) if phase in ChecklistPhase.values else phase
    if entry is None:
        return f"■ {label}"
    counts = words.progress.format(
        closed=entry.closed,
        total=entry.total,
        percent=entry.percent,
        required_open=entry.required_open,
    )
    return f"■ {label}  {counts}"


def _handle(item: ChecklistItem) -> str:
    """Return the short name to type as ITEM: the matrix number, else ``#id``."""
    number = _number(item)
    return str(number) if number is not None else f"#{item.pk}"


def _print_table(
    incident: Incident, items: list[ChecklistItem], progress: list[PhaseProgress], language: str
) -> None:
    from django.utils import translation

    words = _WORDS[language]
    guidance = _guidance()
    rows = []
    for item in items:
        title = item_title(item, language)
        if _number(item) is None:
            title += f"  ({item.key})"
        if not item.applies:
            title += words.dropped
        with translation.override(language):
            status = str(item.get_status_display())
        rows.append([_handle(item), _MARKS.get(item.requirement, item.requirement), status, title])
    header, *lines = text_table(list(words.header), rows)
    by_phase = {entry.phase: entry for entry in progress}
    typer.echo(f"#{incident.pk} {incident.title}")
    typer.echo(words.legend)
    typer.echo("")
    typer.echo(f"    {header}")
    phase = group = None
    for item, line in zip(items, lines, strict=True):
        if item.phase != phase:
            phase, group = item.phase, None
            with translation.override(language):
                typer.echo(f"\n{_phase_heading(phase, by_phase.get(phase), words)}")
        step = guidance.get(item.key)
        group_name = step.group_name.get(language) if step else item.group
        if group_name != group:
            group = group_name
            typer.echo(f"  {group}")
        typer.echo(f"    {line}")


@app.command("show")
@reports_errors
def show_checklist(
    incident_id: IncidentArg,
    phase: Annotated[Phase | None, typer.Option(help="Only this phase.")] = None,
    status: Annotated[Status | None, typer.Option(help="Only items with this status.")] = None,
    language: Annotated[
        Language, typer.Option("--lang", help="Language of the titles and labels.")
    ] = Language.JA,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Show the checklist in working order, with progress per phase."""
    setup_django()
    from hikeshi.incidents.models.checklist import PHASE_ORDER
    from hikeshi.incidents.services.checklist import progress

    incident = find_incident(acting_user(as_user), incident_id)
    everything = incident.checklist.select_related("assignee")
    items = sorted(
        (
            item
            for item in everything
            if (phase is None or item.phase == phase.value)
            and (status is None or item.status == status.value)
        ),
        key=lambda item: (PHASE_ORDER.get(item.phase, len(PHASE_ORDER)), item.position, item.pk),
    )
    phases = progress(incident)
    if as_json:
        print_json(
            {
                "incident": incident.pk,
                "items": [item_json(item, incident.time_zone) for item in items],
                "progress": [_progress_json(entry) for entry in phases],
            }
        )
        return
    words = _WORDS[language.value]
    if not items:
        typer.echo(words.nothing if phase or status else words.empty)
        return
    _print_table(incident, items, phases, language.value)


@app.command("done")
@reports_errors
def mark_item_done(
    incident_id: IncidentArg,
    item_ref: ItemArg,
    at: Annotated[
        str | None,
        typer.Option(
            help="When it was done (実施日時), ISO 8601 or 'now'; no offset means the "
            "incident's time zone. Needed."
        ),
    ] = None,
    scope: Annotated[
        str, typer.Option(help="Where: the devices, accounts or systems it covered (範囲). Needed.")
    ] = "",
    settings: Annotated[
        str, typer.Option(help="How: what was set or done (設定内容). Needed.")
    ] = "",
    note: Annotated[str, typer.Option(help="Anything else worth keeping.")] = "",
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Mark an item done, recording when, where and how (an action record says so)."""
    setup_django()
    from hikeshi.incidents.services.checklist import mark_done

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    item = find_item(incident, item_ref)
    performed_at = _done_time(at, incident.time_zone)
    with _options_named():
        item = mark_done(
            actor,
            incident.pk,
            item.pk,
            performed_at=performed_at,
            scope=scope,
            settings=settings,
            note=note,
        )
    _report(incident, item, f"Marked {item_label(item)} done", as_json)


@app.command("na")
@reports_errors
def mark_item_not_applicable(
    incident_id: IncidentArg,
    item_ref: ItemArg,
    reason: Annotated[str, typer.Option(help="Why the item does not apply. Needed.")] = "",
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Mark an item not applicable, with the reason (kept in the action record)."""
    setup_django()
    from hikeshi.incidents.services.checklist import mark_not_applicable

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    item = find_item(incident, item_ref)
    with _options_named():
        item = mark_not_applicable(actor, incident.pk, item.pk, reason)
    _report(incident, item, f"Marked {item_label(item)} not applicable", as_json)


@app.command("start")
@reports_errors
def start_item(
    incident_id: IncidentArg,
    item_ref: ItemArg,
    reopen: Annotated[
        bool, typer.Option("--reopen", help="Also start an item already done or not applicable.")
    ] = False,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Set an item in progress."""
    setup_django()
    from hikeshi.incidents.services.checklist import set_in_progress
    from hikeshi.incidents.services.errors import InvalidInput

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    item = find_item(incident, item_ref)
    try:
        item = set_in_progress(actor, incident.pk, item.pk, reopen=reopen)
    except InvalidInput as error:
        if error.field != "status":
            raise
        raise CliError(
            f"{item_label(item)} is {item.status.replace('_', ' ')}; "
            "add --reopen to work on it again"
        ) from None
    _report(incident, item, f"Started {item_label(item)}", as_json)


@app.command("assign")
@reports_errors
def assign_item(
    incident_id: IncidentArg,
    item_ref: ItemArg,
    username: Annotated[
        str,
        typer.Argument(
            metavar="USER|-", help="A lead or responder of the incident; '-' for nobody."
        ),
    ],
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Set who works on an item, or clear it with '-'."""
    setup_django()
    from django.contrib.auth.models import User

    from hikeshi.incidents.services.checklist import assign
    from hikeshi.incidents.services.errors import InvalidInput

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    item = find_item(incident, item_ref)
    assignee = None
    if username.strip() != "-":
        assignee = User.objects.filter(username=username.strip()).first()
        if assignee is None:
            raise CliError(f"no user named {username.strip()!r}")
        if not assignee.is_active:
            raise CliError(f"user {username.strip()!r} is deactivated")
    try:
        item = assign(actor, incident.pk, item.pk, assignee)
    except InvalidInput as error:
        if error.field != "assignee":
            raise
        raise CliError(f"{username.strip()}: {error.message}") from None
    if assignee is None:
        message = f"Cleared the assignee of {item_label(item)}"
    else:
        message = f"Assigned {item_label(item)} to {assignee.get_username()}"
    _report(incident, item, message, as_json)
