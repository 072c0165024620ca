"""Background jobs in Django's admin: for reading only (jobs change through their services)."""

from __future__ import annotations

from django.contrib import admin

from hikeshi.incidents.admin import ReadOnlyAdmin
from hikeshi.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "incident", "state", "created_at", "finished_at", "worker")
    list_filter = ("state", "kind")
    list_select_related = ("incident",)
