"""The organisation's contacts in Django's admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.db.models import Field, URLField
from django.http import HttpRequest

from hikeshi.directory.models import DeploymentContact

if TYPE_CHECKING:
    # ModelAdmin is generic only in django-stubs; at runtime it cannot be subscripted.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


@admin.register(DeploymentContact)
class DeploymentContactAdmin(_ModelAdmin):
    """The organisation's own contacts: not part of any incident record, so editable here.

    Contacts already chosen for an incident are protected from deletion by the database.
    """

    list_display = ("name", "kind", "organisation", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("name", "organisation", "note")
    readonly_fields = ("created_by", "created_at")
    # A web address typed without a scheme is taken as https (Django 6's default).
    formfield_overrides: ClassVar[dict[type[Field[Any, Any]], dict[str, Any]]] = {
        URLField: {"assume_scheme": "https"}
    }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
