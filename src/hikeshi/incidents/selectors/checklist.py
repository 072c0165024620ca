"""An incident's checklist as the web page, the API and the CLI read it: one set of filters,
one working order, one way to find an item."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet

from hikeshi.guidance.checklist import GuidanceStep, packaged_catalogue
from hikeshi.incidents.access import WRITER_ROLES
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.models import (
    ActionRecord,
    ChecklistComment,
    ChecklistItem,
    Incident,
    Membership,
)
from hikeshi.incidents.models.checklist import PHASE_ORDER, ItemStatus, Requirement
from hikeshi.incidents.selectors.keyset import Key, Ordering

# Filter values that are not a stored status or a username.
OPEN = "open"  # to do or in progress
MINE = "mine"  # assigned to the reader
UNASSIGNED = "unassigned"
STATUS_FILTERS = (OPEN, *ItemStatus.values)
CLOSED_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.NOT_APPLICABLE})
# The longest search the web form and the API take (the words are matched in memory).
SEARCH_MAX = 100
# API pages: the default and the largest number of items in one answer.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class ChecklistFilters:
    """Which items to list; None (or an empty search) leaves that field unfiltered.

    ``status`` is a stored status or ``open`` (to do or in progress); ``assignee`` is a
    username, ``mine`` (the reader) or ``unassigned``; ``search`` holds words that must all
    appear in the item's guidance text (either language), its key or the work recorded on it.
    """

    phase: str | None = None
    group: str | None = None
    status: str | None = None
    assignee: str | None = None
    requirement: str | None = None
    applies: bool | None = None
    search: str = ""

    @property
    def words(self) -> list[str]:
        """Return the search's words, normalised as the texts they are matched against."""
        return _normal(self.search).split()


@dataclass(frozen=True)
class DoneRecord:
    """The action record that says an item was done: who, and where it is on the timeline."""

    action_id: int
    sequence: int
    actor: str
    note: str


@dataclass
class ChecklistEntry:
    """One item with its guidance step (None if the guidance dropped it) and its comments.

    ``comments`` is filled only where asked for (one item, or one page of the API).
    """

    item: ChecklistItem
    step: GuidanceStep | None
    comment_count: int = 0
    comments: list[ChecklistComment] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Return whether the item still waits for work (to do or in progress)."""
        return self.item.status not in CLOSED_STATUSES


@dataclass(frozen=True)
class ChecklistPage:
    """One page of the filtered checklist, how many items the filters leave in all, and the
    token of the next page (None on the last)."""

    entries: list[ChecklistEntry]
    count: int
    next_token: str | None


@dataclass(frozen=True)
class PhaseProgress:
    """How far one phase of the checklist is: closed items (done or not applicable) of all."""

    phase: str
    closed: int
    total: int
    required_open: int

    @property
    def percent(self) -> int:
        """Return the share of closed items, 0..100."""
        return round(100 * self.closed / self.total) if self.total else 100


def _normal(text: str) -> str:
    """Return text folded for matching: full- and half-width alike, case ignored."""
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def _guidance_text(key: str) -> str:
    """Return everything the guidance says about a step, in both languages, for searching."""
    step = packaged_catalogue().get(key)
    if step is None:
        return _normal(key)
    texts = [step.title, step.group_name, *step.details]
    texts += [text for text in (step.condition, step.note) if text is not None]
    parts = [key] + [part for text in texts for part in (text.ja, text.en or "")]
    return _normal("\n".join(parts))


def _found(entry: ChecklistEntry, words: list[str]) -> bool:
    item = entry.item
    recorded = _normal(f"{item.scope}\n{item.settings_text}\n{item.not_applicable_reason}")
    text = f"{_guidance_text(item.key)}\n{recorded}"
    return all(word in text for word in words)


def _items(incident: Incident) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(incident=incident).select_related("assignee")


def _filtered(
    incident: Incident, filters: ChecklistFilters, reader: User | None
) -> QuerySet[ChecklistItem]:
    found = _items(incident)
    for name in ("phase", "group", "requirement", "applies"):
        value = getattr(filters, name)
        if value is not None:
            found = found.filter(**{name: value})
    if filters.status == OPEN:
        found = found.exclude(status__in=CLOSED_STATUSES)
    elif filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.assignee == MINE:
        found = found.filter(assignee=reader) if reader is not None else found.none()
    elif filters.assignee == UNASSIGNED:
        found = found.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        found = found.filter(assignee__username=filters.assignee)
    return found


def _working_order(item: ChecklistItem) -> tuple[int, int, int]:
    return (PHASE_ORDER.get(item.phase, len(PHASE_ORDER)), item.position, item.pk)


def _comment_counts(incident: Incident) -> Counter[int]:
    rows = (
        ChecklistComment.objects.filter(item__incident=incident)
        .values_list("item_id")
        .annotate(count=Count("pk"))
        .values_list("item_id", "count")
        .order_by()
    )
    return Counter(dict(rows))


def checklist(
    incident: Incident,
    filters: ChecklistFilters | None = None,
    *,
    reader: User | None = None,
) -> list[ChecklistEntry]:
    """Return the items that pass the filters, in working order (phase, then the guidance's
    order), each with its guidance step and how many comments it has.

    ``reader`` is who ``mine`` means. Comments themselves are not loaded (see with_comments).
    """
    filters = filters or ChecklistFilters()
    steps = packaged_catalogue()
    counts = _comment_counts(incident)
    items = sorted(_filtered(incident, filters, reader), key=_working_order)
    entries = [ChecklistEntry(item, steps.get(item.key), counts[item.pk]) for item in items]
    if words := filters.words:
        entries = [entry for entry in entries if _found(entry, words)]
    return entries


def with_comments(entries: list[ChecklistEntry]) -> list[ChecklistEntry]:
    """Return the entries with their comments loaded (oldest first, authors too), in one query."""
    by_item: dict[int, list[ChecklistComment]] = {entry.item.pk: [] for entry in entries}
    if by_item:
        comments = (
            ChecklistComment.objects.filter(item_id__in=list(by_item))
            .select_related("author")
            .order_by("created_at", "pk")
        )
        for comment in comments:
            by_item[comment.item_id].append(comment)
    for entry in entries:
        entry.comments = by_item[entry.item.pk]
        entry.comment_count = len(entry.comments)
    return entries


# The working order (_working_order) as a token: the phase's place in PHASE_ORDER, the
# guidance's order, the item's id. Only its tokens are used: the list is paged in memory.
WORKING_ORDER = Ordering((Key("phase_order", int), Key("position", int), Key("pk", int)))


def checklist_page(
    incident: Incident,
    filters: ChecklistFilters | None = None,
    *,
    reader: User | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> ChecklistPage:
    """Return the page of the filtered checklist that follows ``cursor`` (from the start
    without one), its items with their comments.

    ``size`` is cut to 1 … MAX_PAGE_SIZE; a cursor no page gave is InvalidInput on
    ``cursor``. The filters are applied in memory (a checklist holds a few hundred items),
    so paging never changes what the filters mean.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    after = WORKING_ORDER.read_token(cursor) if cursor else None
    entries = checklist(incident, filters, reader=reader)
    following = [entry for entry in entries if after is None or _working_order(entry.item) > after]
    shown = with_comments(following[:size])
    more = len(following) > size
    next_token = WORKING_ORDER.token(_working_order(shown[-1].item)) if more else None
    return ChecklistPage(shown, len(entries), next_token)


def _entry(item: ChecklistItem | None) -> ChecklistEntry | None:
    if item is None:
        return None
    return with_comments([ChecklistEntry(item, packaged_catalogue().get(item.key))])[0]


def checklist_entry(incident: Incident, item_id: int) -> ChecklistEntry | None:
    """Return the incident's item with this id, with its comments (None if it has none)."""
    return _entry(_items(incident).filter(pk=item_id).first())


def checklist_entry_by_key(incident: Incident, key: str) -> ChecklistEntry | None:
    """Return the incident's item with this guidance key, with its comments, or None."""
    return _entry(_items(incident).filter(key=key).first())


def has_item(incident: Incident, item_id: int) -> bool:
    """Return whether the item belongs to the incident's checklist."""
    return ChecklistItem.objects.filter(incident=incident, pk=item_id).exists()


def item_keys(incident: Incident) -> list[str]:
    """Return the keys of the incident's items (to suggest one when a key is mistyped)."""
    return list(ChecklistItem.objects.filter(incident=incident).values_list("key", flat=True))


def done_records(incident: Incident, key: str | None = None) -> dict[str, DoneRecord]:
    """Return, per item key (or for the one key given), the latest action record that
    marked the item done."""
    records = ActionRecord.objects.filter(incident=incident, kind=ActionKind.CHECKLIST_DONE)
    records = (
        records.filter(checklist_item_ref=key) if key else records.exclude(checklist_item_ref="")
    )
    rows = records.order_by("sequence").values_list(
        "checklist_item_ref", "pk", "sequence", "actor_name", "note"
    )
    return {ref: DoneRecord(pk, sequence, actor, note) for ref, pk, sequence, actor, note in rows}


def assignable_people(incident: Incident) -> list[User]:
    """Return the leads and responders of the incident (who may be given an item), by name."""
    memberships = (
        Membership.objects.filter(incident=incident, role__in=WRITER_ROLES)
        .select_related("user")
        .order_by("user__username")
    )
    return [membership.user for membership in memberships]


def active_user_named(username: str) -> User | None:
    """Return the active user with this name, if any (the assignee an API call names)."""
    return User.objects.filter(username=username, is_active=True).first()


def progress(incident: Incident) -> list[PhaseProgress]:
    """Return progress per phase, in working order (items that still apply).

    Progress always counts the whole checklist, whatever filters a list shows.
    """
    counts: dict[str, list[int]] = {}
    rows = ChecklistItem.objects.filter(incident=incident, applies=True).values_list(
        "phase", "status", "requirement"
    )
    for phase, status, requirement in rows:
        entry = counts.setdefault(phase, [0, 0, 0])
        entry[1] += 1
        if status in CLOSED_STATUSES:
            entry[0] += 1
        elif requirement == Requirement.REQUIRED:
            entry[2] += 1
    return [
        PhaseProgress(phase, *counts[phase])
        for phase in sorted(counts, key=lambda p: PHASE_ORDER.get(p, 99))
    ]
