"""The checklist a responder works through, generated from the guidance for the incident."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.models.incident import Incident


class ItemStatus(models.TextChoices):
    """Where a checklist item stands."""

    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Requirement(models.TextChoices):
    """How strongly the guidance asks for an item (matrix ○ / △, or a guide's step)."""

    REQUIRED = "required", _("Required (○)")
    CONDITIONAL = "conditional", _("Conditional (△)")


class ChecklistPhase(models.TextChoices):
    """The checklist's phases, in working order."""

    INITIAL = "initial", _("Initial response")
    SCOPE = "scope", _("Impact scope")
    PREVENTION = "prevention", _("Damage prevention")
    REPORTING = "reporting", _("Reporting / disclosure")
    RECOVERY = "recovery", _("Recovery / prevention of recurrence")


PHASE_ORDER = {phase: index for index, phase in enumerate(ChecklistPhase.values)}


class ChecklistItem(models.Model):
    """One step of an incident's checklist; its text comes from the guidance by ``key``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist")
    # The guidance entry: "matrix:28", "procedure:sme.ransomware.…", "flow:…", "case:…".
    key = models.CharField(max_length=120)
    phase = models.CharField(_("phase"), max_length=16, choices=ChecklistPhase.choices)
    group = models.CharField(_("target"), max_length=80)
    requirement = models.CharField(_("requirement"), max_length=16, choices=Requirement.choices)
    position = models.PositiveIntegerField()
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.TODO
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("assignee"),
    )
    not_applicable_reason = models.TextField(_("reason it does not apply"), blank=True)
    performed_at = models.DateTimeField(_("performed at"), null=True, blank=True)
    scope = models.TextField(_("scope (範囲)"), blank=True)
    settings_text = models.TextField(_("settings / content (設定内容)"), blank=True)
    # False once the incident's types changed so that the guidance no longer asks for it;
    # kept (not deleted) because someone already worked on it.
    applies = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "key"], name="unique_checklist_key")
        ]
        indexes = [models.Index(fields=["incident", "status"])]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.key} ({self.status})"

    @property
    def worked_on(self) -> bool:
        """Return whether anyone has touched the item (so regeneration must keep it)."""
        return (
            self.status != ItemStatus.TODO or self.assignee_id is not None or self.comments.exists()
        )


class ChecklistComment(models.Model):
    """A remark on a checklist item."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
