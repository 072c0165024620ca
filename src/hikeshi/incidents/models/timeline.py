"""Events placed on an incident's timeline by people or imports (actions join them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.models.incident import Incident
from hikeshi.incidents.vocabulary import TimePrecision


class TimelineEvent(models.Model):
    """Something that happened at a (possibly approximate) time."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("time"))
    precision = models.CharField(
        _("precision"), max_length=8, choices=TimePrecision.choices, default=TimePrecision.EXACT
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The action record whose hash covers this event (adding it, or the import it came in);
    # set in the same transaction. An event without one was not written by hikeshi.
    action = models.ForeignKey(
        "incidents.ActionRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_events",
    )

    class Meta:
        ordering = ["occurred_at", "pk"]
        # The timeline's order within an incident: pages are read from here (keyset).
        indexes = [
            models.Index(fields=["incident", "occurred_at", "id"], name="incidents_event_keyset")
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.description[:40]}"
