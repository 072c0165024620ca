"""Contacts: the deployment's own (vendor, insurer, police station, lawyer) and an incident's."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeploymentContactKind(models.TextChoices):
    """Kinds of contact a deployment adds itself (the guidance ships the public bodies)."""

    INTERNAL_STAFF = "internal_staff", _("Internal system staff")
    SYSTEM_VENDOR = "system_vendor", _("System vendor / maintenance")
    INSURER = "insurer", _("Cyber insurer")
    LAWYER = "lawyer", _("Lawyer")
    LOCAL_POLICE = "local_police", _("Local police station")
    OTHER = "other", _("Other")


class DeploymentContact(models.Model):
    """A contact this organisation keeps for incidents, added in the UI."""

    kind = models.CharField(_("kind"), max_length=20, choices=DeploymentContactKind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    url = models.URLField(_("web page"), blank=True)
    note = models.TextField(_("when to contact them"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when the incidents app held this model.
        db_table = "incidents_deploymentcontact"
        ordering: ClassVar[list[str]] = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def clean(self) -> None:
        """Refuse a contact nobody could reach (the admin's form calls this too)."""
        if not (self.phone.strip() or self.email.strip() or self.url.strip()):
            raise ValidationError(
                _("Give at least a phone number, an e-mail address or a web page."),
                code="unreachable",
            )


class IncidentContact(models.Model):
    """A contact chosen for an incident: a guidance contact (by id) or a deployment one."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="contacts"
    )
    guidance_contact = models.CharField(max_length=80, blank=True)
    deployment_contact = models.ForeignKey(
        DeploymentContact, on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.TextField(_("why"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when the incidents app held this model.
        db_table = "incidents_incidentcontact"
        ordering: ClassVar[list[str]] = ["added_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    models.Q(guidance_contact="", deployment_contact__isnull=False)
                    | (~models.Q(guidance_contact="") & models.Q(deployment_contact__isnull=True))
                ),
                name="incident_contact_has_one_source",
            ),
        ]

    def __str__(self) -> str:
        return self.guidance_contact or str(self.deployment_contact)
