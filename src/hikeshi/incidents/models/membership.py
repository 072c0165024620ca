"""Who takes part in an incident, and in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.models.incident import Incident
from hikeshi.incidents.vocabulary import Role


class Membership(models.Model):
    """A person's role in one incident; without one, the incident does not exist for them."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    affiliation = models.CharField(_("affiliation (所属)"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.incident_id}"
