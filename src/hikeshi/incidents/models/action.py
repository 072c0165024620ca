"""Action records: what was done, when, where and how. Append-only and hash-chained."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.action_kinds import ActionKind, action_kind_choices, is_bookkeeping
from hikeshi.incidents.action_kinds import kind_label as label_of_kind
from hikeshi.incidents.models.incident import Incident


class AppendOnlyError(RuntimeError):
    """An action record may not be changed or deleted; record a correction instead."""


class ActionRecordQuerySet(models.QuerySet["ActionRecord"]):
    """Queries over action records; bulk changes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("action records are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("action records are append-only")


class ActionRecord(models.Model):
    """One action taken in an incident; a correction is a new record pointing at the old."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    # Position in the incident's chain, from 1.
    sequence = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    # The name at the time of recording: renaming an account must not rewrite history.
    actor_name = models.CharField(_("who"), max_length=150)
    performed_at = models.DateTimeField(_("performed at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    kind = models.CharField(
        _("kind"), max_length=40, choices=action_kind_choices, default=ActionKind.MANUAL
    )
    what = models.TextField(_("what was done"))
    scope = models.TextField(_("scope (範囲)"), blank=True)
    settings_text = models.TextField(_("settings (設定内容)"), blank=True)
    note = models.TextField(_("note"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    # References to things later features add (checklist items, evidence, findings).
    checklist_item_ref = models.CharField(max_length=100, blank=True)
    evidence_ref = models.CharField(max_length=100, blank=True)
    finding_ref = models.CharField(max_length=100, blank=True)
    prev_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)
    # What else the hash vouches for, by scope: "incident", "members", "checklist" (digests
    # of that state after this action) and "events" (digest of the events this record
    # created, which point back at it). Empty for records that change nothing else.
    coverage = models.JSONField(default=dict, blank=True)
    # HMAC-SHA256 of record_hash under a key kept outside the database (incidents.audit.seal):
    # without the key, a forged or re-chained record cannot carry a valid seal.
    seal = models.CharField(max_length=64, blank=True)

    objects = ActionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "sequence"], name="unique_action_sequence")
        ]
        # The timeline's order within an incident: pages are read from here (keyset).
        indexes = [
            models.Index(fields=["incident", "performed_at", "id"], name="incidents_action_keyset")
        ]

    def __str__(self) -> str:
        return f"#{self.incident_id}.{self.sequence} {self.what[:40]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("action records are append-only; record a correction")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("action records are append-only; record a correction")

    @property
    def kind_label(self) -> str:
        """Return the kind's label in the active language (the stored key if unknown)."""
        return label_of_kind(self.kind)

    @property
    def is_bookkeeping(self) -> bool:
        """Return whether hikeshi wrote this record to keep the case's record up to date."""
        return is_bookkeeping(self.kind)
