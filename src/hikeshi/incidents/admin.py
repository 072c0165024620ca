"""The incident record in Django's admin: for reading only.

Every write goes through hikeshi.incidents.services, which also appends the action record;
an admin edit would bypass both. Action records are append-only and hash-chained: the admin
must never offer to add, change or delete one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from hikeshi.incidents.models import (
    ActionRecord,
    Incident,
    Membership,
    TimelineEvent,
)

if TYPE_CHECKING:
    # ModelAdmin is generic only in django-stubs; at runtime it cannot be subscripted.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    """An admin page that shows rows and offers no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "priority", "status", "detected_at", "is_demo")
    list_filter = ("status", "priority", "is_demo")
    search_fields = ("title", "organisation")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("incident", "user", "role", "affiliation")
    list_select_related = ("incident", "user")
    list_filter = ("role",)


@admin.register(ActionRecord)
class ActionRecordAdmin(ReadOnlyAdmin):
    list_display = ("incident", "sequence", "actor_name", "kind", "performed_at", "recorded_at")
    list_select_related = ("incident",)
    list_filter = ("kind",)
    search_fields = ("what", "scope", "settings_text", "record_hash")


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ("incident", "occurred_at", "precision", "source", "device")
    list_select_related = ("incident",)
    search_fields = ("description", "device")
