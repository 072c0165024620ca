"""Generating an incident's checklist from the guidance and recording the work done on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from hikeshi.guidance.checklist import GuidanceStep, checklist_steps, packaged_catalogue
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import WRITER_ROLES
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.audit.rows import CHECKLIST
from hikeshi.incidents.models import (
    ActionRecord,
    ChecklistComment,
    ChecklistItem,
    Incident,
    Membership,
)
from hikeshi.incidents.models.checklist import ItemStatus
from hikeshi.incidents.services import inputs
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput


@dataclass(frozen=True)
class Regeneration:
    """What regenerating a checklist changed."""

    added: int
    kept: int
    removed: int
    no_longer_applies: int


def guidance_for(item: ChecklistItem) -> GuidanceStep | None:
    """Return the guidance text behind a stored item (None if the guidance dropped it)."""
    return packaged_catalogue().get(item.key)


def regenerate(actor: User | None, incident_id: int) -> Regeneration:
    """Return what changed after bringing the checklist in line with the incident's types.

    Items someone worked on (status, assignee or comments) are never deleted: when the
    guidance no longer asks for them they stay, marked as no longer applying.
    """
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        steps = checklist_steps(knowledge_base(), incident.types)
        existing = {item.key: item for item in incident.checklist.all()}
        added = kept = removed = dropped = moved = 0
        wanted = {step.key for step in steps}
        for position, step in enumerate(steps, start=1):
            item = existing.get(step.key)
            if item is None:
                ChecklistItem.objects.create(
                    incident=incident,
                    key=step.key,
                    phase=step.phase,
                    group=step.group,
                    requirement=step.requirement,
                    position=position,
                )
                added += 1
                continue
            layout = (step.phase, step.group, step.requirement, position, True)
            if layout != (item.phase, item.group, item.requirement, item.position, item.applies):
                # The action record vouches for the whole checklist, its layout included.
                moved += 1
            item.phase, item.group, item.requirement = step.phase, step.group, step.requirement
            item.position, item.applies = position, True
            item.save(update_fields=["phase", "group", "requirement", "position", "applies"])
            kept += 1
        for key, item in existing.items():
            if key in wanted:
                continue
            if item.worked_on:
                if item.applies:
                    item.applies = False
                    item.save(update_fields=["applies"])
                    dropped += 1
            else:
                item.delete()
                removed += 1
        result = Regeneration(added, kept, removed, dropped)
        if added or removed or dropped or moved:
            append_action(
                incident.pk,
                actor,
                ActionInput(
                    what="チェックリストを生成",
                    settings=(
                        f"types={','.join(incident.types) or '-'}; added={added}; kept={kept}; "
                        f"removed={removed}; no_longer_applies={dropped}"
                    ),
                ),
                kind=ActionKind.CHECKLIST_GENERATED,
                covers=[CHECKLIST],
            )
    return result


def _item(incident_id: int, item_id: int) -> ChecklistItem:
    item = (
        ChecklistItem.objects.select_for_update()
        .filter(pk=item_id, incident_id=incident_id)
        .first()
    )
    if item is None:
        raise InvalidInput("item", gettext_noop("no such checklist item in this incident"))
    return item


def _label(item: ChecklistItem) -> str:
    step = guidance_for(item)
    title = step.title.ja if step else item.key
    return f"{item.key} {title}"


def mark_done(
    actor: User,
    incident_id: int,
    item_id: int,
    *,
    performed_at: datetime | None,
    scope: str,
    settings: str,
    note: str = "",
) -> ChecklistItem:
    """Return the item marked done; refused unless when, scope and settings are given.

    The guidance's first rule: record the date and time, the scope and the settings of
    everything done. Marking done creates the action record that says so.
    """
    if performed_at is None:
        raise InvalidInput("performed_at", gettext_noop("say when it was done (実施日時)"))
    # The checks append_action makes too, here before the item is locked, so that the item
    # keeps exactly what its action record says.
    performed_at = inputs.instant("performed_at", performed_at)
    scope = inputs.text(ChecklistItem, "scope", scope)
    settings = inputs.text(ChecklistItem, "settings_text", settings, field="settings")
    note = inputs.text(ActionRecord, "note", note)
    if not scope:
        raise InvalidInput(
            "scope", gettext_noop("say which devices, accounts or systems it covered (範囲)")
        )
    if not settings:
        raise InvalidInput("settings", gettext_noop("say what was set or done, and how (設定内容)"))
    with transaction.atomic():
        item = _item(incident_id, item_id)
        # The item first: the action record vouches for the checklist as it is after this.
        item.status = ItemStatus.DONE
        item.performed_at = performed_at
        item.scope, item.settings_text = scope, settings
        item.not_applicable_reason = ""
        item.save()
        append_action(
            incident_id,
            actor,
            ActionInput(
                what=f"チェック項目を完了: {_label(item)}",
                performed_at=performed_at,
                scope=scope,
                settings=settings,
                note=note,
                checklist_item_ref=item.key,
            ),
            kind=ActionKind.CHECKLIST_DONE,
            covers=[CHECKLIST],
        )
    return item


def mark_not_applicable(actor: User, incident_id: int, item_id: int, reason: str) -> ChecklistItem:
    """Return the item marked not applicable; a reason is required and recorded."""
    reason = inputs.text(ChecklistItem, "not_applicable_reason", reason, field="reason")
    if not reason:
        raise InvalidInput("reason", gettext_noop("say why this item does not apply"))
    with transaction.atomic():
        item = _item(incident_id, item_id)
        item.status = ItemStatus.NOT_APPLICABLE
        item.not_applicable_reason = reason
        item.save()
        append_action(
            incident_id,
            actor,
            ActionInput(
                what=f"チェック項目を対象外に: {_label(item)}",
                note=item.not_applicable_reason,
                checklist_item_ref=item.key,
            ),
            kind=ActionKind.CHECKLIST_NOT_APPLICABLE,
            covers=[CHECKLIST],
        )
    return item


def set_in_progress(
    actor: User, incident_id: int, item_id: int, reopen: bool = False
) -> ChecklistItem:
    """Return the item set to in progress (also reopening a done or not-applicable item)."""
    with transaction.atomic():
        item = _item(incident_id, item_id)
        if item.status in (ItemStatus.DONE, ItemStatus.NOT_APPLICABLE) and not reopen:
            raise InvalidInput("status", gettext_noop("the item is closed; reopen it explicitly"))
        previous = item.status
        item.status = ItemStatus.IN_PROGRESS
        item.save()
        append_action(
            incident_id,
            actor,
            ActionInput(
                what=f"チェック項目に着手: {_label(item)}",
                settings=f"{previous} -> in_progress",
                checklist_item_ref=item.key,
            ),
            kind=ActionKind.CHECKLIST_IN_PROGRESS,
            covers=[CHECKLIST],
        )
    return item


def assign(actor: User, incident_id: int, item_id: int, assignee: User | None) -> ChecklistItem:
    """Return the item with its assignee set (a lead or responder of the incident) or cleared."""
    with transaction.atomic():
        item = _item(incident_id, item_id)
        if (
            assignee is not None
            and not Membership.objects.filter(
                incident_id=incident_id, user=assignee, role__in=WRITER_ROLES
            ).exists()
        ):
            raise InvalidInput(
                "assignee", gettext_noop("assign a lead or responder of this incident")
            )
        item.assignee = assignee
        item.save(update_fields=["assignee", "updated_at"])
        append_action(
            incident_id,
            actor,
            ActionInput(
                what=f"担当者を設定: {_label(item)}",
                settings=f"assignee={assignee.get_username() if assignee else '-'}",
                checklist_item_ref=item.key,
            ),
            kind=ActionKind.CHECKLIST_ASSIGNED,
            covers=[CHECKLIST],
        )
    return item


def add_comment(actor: User, incident_id: int, item_id: int, text: str) -> ChecklistComment:
    """Return a new comment on the item."""
    text = inputs.text(ChecklistComment, "text", text)
    if not text:
        raise InvalidInput("text", gettext_noop("write a comment"))
    with transaction.atomic():
        item = _item(incident_id, item_id)
        return ChecklistComment.objects.create(item=item, author=actor, text=text)
