"""The incident record's fixed vocabularies: types, lifecycle, triage scales, roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentType(models.TextChoices):
    """Incident types; the codes are those of the guidance's incident-type vocabulary."""

    APT = "apt", _("APT (targeted attack)")
    BANKING_FRAUD = "banking_fraud", _("Banking fraud")
    RANSOMWARE = "ransomware", _("Ransomware")
    INSIDER = "insider", _("Insider misconduct")
    INFORMATION_LEAK = "information_leak", _("Information leak")
    VIRUS_INFECTION = "virus_infection", _("Virus infection")
    SYSTEM_OUTAGE = "system_outage", _("System outage")
    SPOOFED_EMAIL = "spoofed_email", _("Spoofed e-mail")
    WEB_TAMPERING = "web_tampering", _("Web site tampering")
    ACCOUNT_TAKEOVER = "account_takeover", _("Account takeover")


class Status(models.TextChoices):
    """The lifecycle of an incident (JPCERT/CC flow and IPA SME guide steps)."""

    DETECTED = "detected", _("Detection / intake")
    TRIAGE = "triage", _("Triage")
    RESPONSE = "response", _("Response")
    REPORTING = "reporting", _("Reporting / disclosure")
    RECOVERY = "recovery", _("Recovery / prevention")
    CLOSED = "closed", _("Closed")
    NOT_AN_INCIDENT = "not_incident", _("Not an incident")


# The order a case moves through; "not an incident" is a triage outcome, not a step.
LIFECYCLE: tuple[Status, ...] = (
    Status.DETECTED,
    Status.TRIAGE,
    Status.RESPONSE,
    Status.REPORTING,
    Status.RECOVERY,
    Status.CLOSED,
)


class Level(models.IntegerChoices):
    """A three-step scale for urgency and for impact."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class Priority(models.IntegerChoices):
    """Priority derived from urgency x impact; 1 is handled first."""

    CRITICAL = 1, _("P1 critical")
    HIGH = 2, _("P2 high")
    MEDIUM = 3, _("P3 medium")
    LOW = 4, _("P4 low")
    UNTRIAGED = 9, _("Not triaged")


class Role(models.TextChoices):
    """A person's role in one incident."""

    LEAD = "lead", _("Lead (責任者)")
    RESPONDER = "responder", _("Responder (担当者)")
    VIEWER = "viewer", _("Viewer")


class TimePrecision(models.TextChoices):
    """How exactly a time is known."""

    EXACT = "exact", _("Exact")
    ABOUT = "about", _("About")
    DAY = "day", _("Day only")


def derive_priority(urgency: int | None, impact: int | None) -> Priority:
    """Return the priority for urgency x impact (both 1..3); untriaged if either is missing."""
    if urgency is None or impact is None:
        return Priority.UNTRIAGED
    score = urgency + impact  # 2..6
    if score >= 6:
        return Priority.CRITICAL
    if score == 5:
        return Priority.HIGH
    if score >= 3:
        return Priority.MEDIUM
    return Priority.LOW
