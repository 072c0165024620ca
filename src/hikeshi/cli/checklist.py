"""`hikeshi checklist …`: work through an incident's checklist (JPCERT/CC matrix, IPA guide).

Every change goes through the checklist services, which write the action record for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from hikeshi.cli.checklist_items import find_item, item_json, item_label, item_title, progress_json
from hikeshi.cli.checklist_table import WORDS, print_table
from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.guidance import Language
from hikeshi.cli.runtime import (
    AsJson,
    AsUser,
    acting_user,
    find_incident,
    find_user,
    parse_time,
    print_json,
    setup_django,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hikeshi.incidents.models import ChecklistItem, Incident

app = typer.Typer(
    help="Work through an incident's checklist: show it, mark items done or not applicable.",
    no_args_is_help=True,
)

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
    """Where an item stands (the model's ItemStatus values), or open: to do or in progress."""

    OPEN = "open"
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class Requirement(StrEnum):
    """How strongly the guidance asks for an item (the values of the model's Requirement)."""

    REQUIRED = "required"
    CONDITIONAL = "conditional"


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
        raise CliError(f"{option}: {error.english}") from None


def _done_time(at: str | None, zone: str) -> datetime | None:
    if at is None:
        return None
    if at.strip().lower() == "now":
        from django.utils import timezone

        return timezone.now()
    return parse_time(at, "--at", zone)


def _item_to_change(
    as_user: str | None, incident_id: int, item_ref: str
) -> tuple[User, Incident, ChecklistItem]:
    """Return the acting user, the incident they may change, and its item named by ITEM."""
    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    return actor, incident, find_item(incident, item_ref)


def _report(incident: Incident, item: ChecklistItem, message: str, as_json: bool) -> None:
    if as_json:
        print_json(item_json(item, incident.time_zone))
    else:
        typer.echo(f"{message} in incident #{incident.pk}: {item_title(item)}")


@app.command("show")
@reports_errors
def show_checklist(
    incident_id: IncidentArg,
    phase: Annotated[Phase | None, typer.Option(help="Only this phase.")] = None,
    group: Annotated[
        str | None, typer.Option(help="Only this target or section (its code, as in --json).")
    ] = None,
    status: Annotated[
        Status | None, typer.Option(help="Only items with this status (open: to do or started).")
    ] = None,
    assignee: Annotated[
        str | None,
        typer.Option(help="Only items assigned to this user; 'mine' (--as) or 'unassigned'."),
    ] = None,
    requirement: Annotated[Requirement | None, typer.Option(help="Only ○ or △ items.")] = None,
    applies: Annotated[
        bool | None,
        typer.Option(
            "--applies/--no-longer-applies",
            help="Only the items the incident's types ask for, or only those they no longer do.",
        ),
    ] = None,
    search: Annotated[
        str,
        typer.Option(help="Words that must all appear in the item's text, key or record."),
    ] = "",
    language: Annotated[
        Language, typer.Option("--lang", help="Language of the titles and labels.")
    ] = Language.JA,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Show the checklist in working order, with progress per phase (as the web page and
    the API filter it)."""
    setup_django()
    from hikeshi.incidents.selectors.checklist import ChecklistFilters, checklist, progress

    reader = acting_user(as_user)
    incident = find_incident(reader, incident_id)
    filters = ChecklistFilters(
        phase=phase.value if phase else None,
        group=group,
        status=status.value if status else None,
        assignee=assignee,
        requirement=requirement.value if requirement else None,
        applies=applies,
        search=search.strip(),
    )
    entries = checklist(incident, filters, reader=reader)
    items = [entry.item for entry in entries]
    phases = progress(incident)
    if as_json:
        print_json(
            {
                "incident": incident.pk,
                "items": [item_json(item, incident.time_zone) for item in items],
                "progress": [progress_json(entry) for entry in phases],
            }
        )
        return
    words = WORDS[language.value]
    if not items:
        typer.echo(words.nothing if filters != ChecklistFilters() else words.empty)
        return
    print_table(incident, items, phases, language.value)


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

    actor, incident, item = _item_to_change(as_user, incident_id, item_ref)
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

    actor, incident, item = _item_to_change(as_user, incident_id, item_ref)
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

    actor, incident, item = _item_to_change(as_user, incident_id, item_ref)
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
    from hikeshi.incidents.services.checklist import assign
    from hikeshi.incidents.services.errors import InvalidInput

    actor, incident, item = _item_to_change(as_user, incident_id, item_ref)
    assignee = None if username.strip() == "-" else find_user(username.strip())
    try:
        item = assign(actor, incident.pk, item.pk, assignee)
    except InvalidInput as error:
        if error.field != "assignee":
            raise
        raise CliError(f"{username.strip()}: {error.english}") from None
    if assignee is None:
        message = f"Cleared the assignee of {item_label(item)}"
    else:
        message = f"Assigned {item_label(item)} to {assignee.get_username()}"
    _report(incident, item, message, as_json)
