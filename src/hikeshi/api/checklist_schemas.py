"""The checklist's shapes in the API, and how stored items become them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from ninja import Field, Schema

from hikeshi.api.paging import CURSOR_HELP, NEXT_CURSOR_HELP, NEXT_HELP, limit_help
from hikeshi.api.schemas import Instant, InstantIn, TextBounds, UserName
from hikeshi.datafiles.text import TranslatedText
from hikeshi.guidance.checklist import GuidanceStep
from hikeshi.incidents.models import ActionRecord, ChecklistComment, ChecklistItem
from hikeshi.incidents.models.checklist import ChecklistPhase, ItemStatus, Requirement
from hikeshi.incidents.selectors.checklist import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SEARCH_MAX,
    ChecklistEntry,
    ChecklistFilters,
    PhaseProgress,
)
from hikeshi.incidents.selectors.keyset import TOKEN_MAX

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
    """One page of the checklist in working order, and progress per phase (of the whole
    checklist, whatever the filters)."""

    count: int = Field(description="how many items the filters leave, on every page")
    items: list[ChecklistItemOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR_HELP)
    next: str | None = Field(description=NEXT_HELP)
    progress: list[PhaseProgressOut]


class StatusFilter(StrEnum):
    """A stored status, or ``open``: to do or in progress."""

    OPEN = "open"
    TODO = ItemStatus.TODO.value
    IN_PROGRESS = ItemStatus.IN_PROGRESS.value
    DONE = ItemStatus.DONE.value
    NOT_APPLICABLE = ItemStatus.NOT_APPLICABLE.value


class ChecklistQuery(Schema):
    """Which items to list (every filter is optional) and which page of them."""

    phase: ChecklistPhase | None = None
    group: Annotated[str, TextBounds.of(ChecklistItem, "group")] | None = Field(
        None, description="a group code, e.g. a matrix target"
    )
    status: StatusFilter | None = None
    assignee: UserName | None = Field(
        None, description='a username, "mine" (the caller) or "unassigned"'
    )
    requirement: Requirement | None = None
    applies: bool | None = Field(
        None, description="false: only the items the incident's types no longer ask for"
    )
    search: Annotated[str, TextBounds(SEARCH_MAX)] = Field(
        "",
        description="words that must all appear in the item's guidance text (Japanese or "
        "English), its key or the work recorded on it",
    )
    limit: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=limit_help(MAX_PAGE_SIZE)
    )
    cursor: str | None = Field(None, max_length=TOKEN_MAX, description=CURSOR_HELP)

    def filters(self) -> ChecklistFilters:
        """Return the filters for the checklist selector."""
        return ChecklistFilters(
            phase=self.phase,
            group=self.group,
            status=self.status,
            assignee=self.assignee,
            requirement=self.requirement,
            applies=self.applies,
            search=self.search.strip(),
        )


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


def item_out(entry: ChecklistEntry) -> ChecklistItemOut:
    """Return the item with its guidance text (the key itself if the guidance dropped it)."""
    item, step = entry.item, entry.step
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
        comments=[comment_out(comment) for comment in entry.comments],
    )


def progress_out(progress: PhaseProgress) -> PhaseProgressOut:
    return PhaseProgressOut(
        phase=ChecklistPhase(progress.phase),
        closed=progress.closed,
        total=progress.total,
        required_open=progress.required_open,
        percent=progress.percent,
    )
