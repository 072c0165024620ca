"""The checklist's shapes in the API, and how stored items become them."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from hikeshi.api.schemas import Instant, InstantIn, TextBounds, UserName
from hikeshi.datafiles.text import TranslatedText
from hikeshi.guidance.checklist import GuidanceStep, packaged_catalogue
from hikeshi.incidents.models import ActionRecord, ChecklistComment, ChecklistItem
from hikeshi.incidents.models.checklist import ChecklistPhase, ItemStatus, Requirement
from hikeshi.incidents.services.checklist import PhaseProgress

MATRIX_PREFIX = "matrix:"


class CommentOut(Schema):
    """A remark on a checklist item."""

    id: int
    author: str
    text: str
    created_at: Instant


class ChecklistItemOut(Schema):
    """One checklist item: the guidance's words for it and where the work on it stands."""

    id: int
    key: str = Field(description='the guidance entry, e.g. "matrix:28"')
    number: int | None = Field(description="the JPCERT/CC matrix number, for matrix items")
    phase: ChecklistPhase
    group: str = Field(description="a stable code: the matrix target or the guide section")
    group_name: TranslatedText
    requirement: Requirement
    condition: TranslatedText | None = Field(description="when a conditional (△) item applies")
    title: TranslatedText
    details: list[TranslatedText] = Field(description="the steps or context the guidance gives")
    note: TranslatedText | None
    references: list[str]
    log_checks: list[str] = Field(description="ids of the log-analysis checks that answer it")
    status: ItemStatus
    assignee: str | None = Field(description="username")
    performed_at: Instant | None
    scope: str = Field(description="範囲")
    settings: str = Field(description="設定内容")
    not_applicable_reason: str
    applies: bool = Field(description="false once the incident's types no longer ask for it")
    comments: list[CommentOut]


class PhaseProgressOut(Schema):
    """How far one phase is: closed (done or not applicable) of the items that still apply."""

    phase: ChecklistPhase
    closed: int
    total: int
    required_open: int
    percent: int


class ChecklistOut(Schema):
    """The checklist in working order, and progress per phase (of the whole checklist)."""

    items: list[ChecklistItemOut]
    progress: list[PhaseProgressOut]


class ChecklistFilter(Schema):
    """Which items to list; every filter is optional."""

    phase: ChecklistPhase | None = None
    group: Annotated[str, TextBounds.of(ChecklistItem, "group")] | None = Field(
        None, description="a group code, e.g. a matrix target"
    )
    status: ItemStatus | None = None
    assignee: UserName | None = Field(None, description="username")
    requirement: Requirement | None = None
    applies: bool | None = None


class DoneIn(Schema):
    """What was done: when, on what (範囲) and how (設定内容); all three are required."""

    performed_at: InstantIn
    scope: Annotated[str, TextBounds.of(ChecklistItem, "scope")] = Field(
        description="範囲: the devices, accounts or systems it covered"
    )
    settings: Annotated[str, TextBounds.of(ChecklistItem, "settings_text")] = Field(
        description="設定内容: what was set or done, and how"
    )
    note: Annotated[str, TextBounds.of(ActionRecord, "note")] = ""


class NotApplicableIn(Schema):
    """Why the item does not apply to this incident."""

    reason: Annotated[str, TextBounds.of(ChecklistItem, "not_applicable_reason")]


class StartIn(Schema):
    """Start work on the item; a done or not-applicable item needs ``reopen``."""

    reopen: bool = False


class AssignIn(Schema):
    """Who works on the item: a lead or responder of the incident, or null for nobody."""

    username: UserName | None


class CommentIn(Schema):
    """A remark on the item."""

    text: Annotated[str, TextBounds.of(ChecklistComment, "text")]


def _plain(text: str) -> TranslatedText:
    return TranslatedText(ja=text, en=text)


def _number(item: ChecklistItem, step: GuidanceStep | None) -> int | None:
    if step is not None:
        return step.number
    raw = item.key.removeprefix(MATRIX_PREFIX)
    return int(raw) if item.key.startswith(MATRIX_PREFIX) and raw.isdigit() else None


def comment_out(comment: ChecklistComment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        author=comment.author.get_username(),
        text=comment.text,
        created_at=comment.created_at,
    )


def item_out(item: ChecklistItem) -> ChecklistItemOut:
    """Return the item with its guidance text (the key itself if the guidance dropped it)."""
    step = packaged_catalogue().get(item.key)
    return ChecklistItemOut(
        id=item.pk,
        key=item.key,
        number=_number(item, step),
        phase=ChecklistPhase(item.phase),
        group=item.group,
        group_name=step.group_name if step else _plain(item.group),
        requirement=Requirement(item.requirement),
        condition=step.condition if step else None,
        title=step.title if step else _plain(item.key),
        details=list(step.details) if step else [],
        note=step.note if step else None,
        references=list(step.references) if step else [],
        log_checks=list(step.log_checks) if step else [],
        status=ItemStatus(item.status),
        assignee=item.assignee.get_username() if item.assignee else None,
        performed_at=item.performed_at,
        scope=item.scope,
        settings=item.settings_text,
        not_applicable_reason=item.not_applicable_reason,
        applies=item.applies,
        comments=[comment_out(comment) for comment in item.comments.all()],
    )


def progress_out(progress: PhaseProgress) -> PhaseProgressOut:
    return PhaseProgressOut(
        phase=ChecklistPhase(progress.phase),
        closed=progress.closed,
        total=progress.total,
        required_open=progress.required_open,
        percent=progress.percent,
    )
