"""Writing to the incident timeline: an event placed by hand (imports have their own module).

The timeline is read through hikeshi.incidents.selectors.timeline."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.models import TimelineEvent
from hikeshi.incidents.services import inputs
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.vocabulary import TimePrecision


def add_event(
    actor: User,
    incident_id: int,
    *,
    occurred_at: datetime,
    description: str,
    precision: str = TimePrecision.EXACT,
    source: str = "",
    device: str = "",
) -> TimelineEvent:
    """Return a new timeline event; adding it is recorded as an action."""
    description = inputs.text(TimelineEvent, "description", description)
    if not description:
        raise InvalidInput("description", gettext_noop("describe what happened"))
    if precision not in TimePrecision.values:
        raise InvalidInput("precision", gettext_noop("choose exact, about or day"))
    occurred_at = inputs.instant("occurred_at", occurred_at)
    source = inputs.text(TimelineEvent, "source", source)
    device = inputs.text(TimelineEvent, "device", device)
    with transaction.atomic():
        event = TimelineEvent.objects.create(
            incident_id=incident_id,
            occurred_at=occurred_at,
            precision=precision,
            source=source or "manual",
            device=device,
            description=description,
            created_by=actor,
        )
        append_action(
            incident_id,
            actor,
            ActionInput(
                what="タイムラインにイベントを追加",
                settings=f"event={event.pk}; at={occurred_at.isoformat()}; precision={precision}",
            ),
            kind=ActionKind.TIMELINE_EVENT_ADDED,
            events=[event.pk],
        )
    return event
