"""An incident and the record items the JPCERT/CC flow and the IPA SME guide ask for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.vocabulary import (
    IncidentType,
    Level,
    Priority,
    Status,
    TimePrecision,
)


class Incident(models.Model):
    """One incident; written only through hikeshi.incidents.services."""

    title = models.CharField(_("title"), max_length=200)
    organisation = models.CharField(_("organisation (事業者)"), max_length=200, blank=True)
    commissioning_organisation = models.CharField(
        _("commissioning organisation (委託元)"), max_length=200, blank=True
    )
    detected_at = models.DateTimeField(_("detected / received at (発覚日時)"))
    estimated_start = models.DateTimeField(_("estimated start (発生日時)"), null=True, blank=True)
    estimated_start_precision = models.CharField(
        _("precision of the estimated start"),
        max_length=8,
        choices=TimePrecision.choices,
        default=TimePrecision.ABOUT,
    )
    reporter = models.CharField(_("discoverer / reporter"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("how to reach the reporter"), max_length=200, blank=True)
    location = models.TextField(
        _("where it happened (systems, servers, network devices)"), blank=True
    )
    what_happened = models.TextField(_("what is happening (発生事象)"), blank=True)
    assumed_cause = models.TextField(_("assumed cause (想定される原因)"), blank=True)
    affected_systems = models.TextField(_("state of affected systems"), blank=True)
    system_configuration = models.TextField(_("system configuration and operation"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DETECTED
    )
    is_incident = models.BooleanField(_("is an incident"), null=True, blank=True)
    not_incident_reason = models.TextField(_("reason it is not an incident"), blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Level.choices, null=True, blank=True
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=Level.choices, null=True, blank=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.UNTRIAGED
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)

    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every update must name the version it started from.
    version = models.PositiveIntegerField(default=1)

    # The head of the action-record chain, so that removing the newest record shows.
    audit_length = models.PositiveIntegerField(default=0)
    audit_head = models.CharField(max_length=64, blank=True)
    # HMAC of (id, length, head) under the seal key: resetting the head shows without the key.
    audit_seal = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["priority", "-detected_at"]
        # The incident list's order (selectors.incidents.LIST_ORDER), read from the index.
        indexes = [
            models.Index(fields=["priority", "-detected_at", "-id"], name="incidents_list_order")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def types(self) -> list[str]:
        """Return the incident's type codes in vocabulary order."""
        order = list(IncidentType.values)
        codes = [tag.code for tag in self.type_tags.all()]
        return sorted(codes, key=order.index)


class IncidentTypeTag(models.Model):
    """One of an incident's types (an incident can have several)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="type_tags")
    code = models.CharField(_("type"), max_length=32, choices=IncidentType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "code"], name="unique_incident_type")
        ]

    def __str__(self) -> str:
        return self.code
