"""The site log in Django's admin (read-only), and the user admin that writes to it.

Accounts are changed in the admin too (created, deactivated, given a password, made site
administrators), so the user admin records each such change in the site log, in the same
transaction as the change: the admin wraps its add, change and delete views in one, and
the password view and bulk deletion are wrapped here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.hashers import is_password_usable
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from hikeshi.incidents.admin import ReadOnlyAdmin
from hikeshi.sitelog.models import SiteLogEntry
from hikeshi.sitelog.services import DetailValue, SiteEventKind, record_site_event
from hikeshi.web.proxies import client_address

if TYPE_CHECKING:
    from django import forms

    # UserAdmin is generic only in django-stubs; at runtime it cannot be subscripted.
    _UserAdmin = UserAdmin[User]
else:
    _UserAdmin = UserAdmin

# Fields whose change is an event of its own; any other changed field is "details changed".
_OWN_EVENTS = frozenset({"is_active", "is_superuser", "password"})


@admin.register(SiteLogEntry)
class SiteLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "occurred_at", "kind", "actor_name", "subject", "client_address")
    list_filter = ("kind",)
    search_fields = ("subject", "actor_name", "record_hash")


def _acting(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _record(
    request: HttpRequest,
    kind: SiteEventKind,
    subject: str,
    detail: dict[str, DetailValue] | None = None,
) -> None:
    record_site_event(
        kind,
        actor=_acting(request),
        subject=subject,
        detail={"via": "admin", **(detail or {})},
        client_address=client_address(request),
    )


class RecordedUserAdmin(_UserAdmin):
    """Django's user admin, with every change to an account written to the site log."""

    # Facts, not settings: the form would rewrite them at second precision on every save,
    # which the log would then report as a change nobody made.
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        previous = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        name = obj.get_username()
        if previous is None:
            usable = is_password_usable(obj.password)
            _record(
                request,
                SiteEventKind.USER_CREATED,
                name,
                {
                    "site_admin": bool(obj.is_superuser),
                    "password": "chosen" if usable else "unusable",
                },
            )
            return
        changed = [field for field in form.changed_data if field not in _OWN_EVENTS]
        if changed:
            detail: dict[str, DetailValue] = {"fields": ", ".join(sorted(changed))}
            if previous.get_username() != name:
                detail["previous_username"] = previous.get_username()
            if "is_staff" in changed:
                detail["staff"] = bool(obj.is_staff)
            _record(request, SiteEventKind.USER_CHANGED, name, detail)
        if previous.is_active != obj.is_active:
            kind = (
                SiteEventKind.USER_REACTIVATED if obj.is_active else SiteEventKind.USER_DEACTIVATED
            )
            _record(request, kind, name)
        if previous.is_superuser != obj.is_superuser:
            kind = (
                SiteEventKind.SITE_ADMIN_GRANTED
                if obj.is_superuser
                else SiteEventKind.SITE_ADMIN_REMOVED
            )
            _record(request, kind, name)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record(request, SiteEventKind.USER_DELETED, obj.get_username())
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The bulk "delete selected" action runs outside the admin's own transaction.
        with transaction.atomic():
            for name in queryset.order_by("pk").values_list("username", flat=True):
                _record(request, SiteEventKind.USER_DELETED, name)
            super().delete_queryset(request, queryset)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        target = self.get_object(request, unquote(id))
        if target is None:
            return super().user_change_password(request, id, form_url)  # answers 404
        # Django's view saves the password without a transaction of its own.
        with transaction.atomic():
            before = User.objects.filter(pk=target.pk).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            after = User.objects.filter(pk=target.pk).values_list("password", flat=True).first()
            if after is not None and after != before:
                _record(
                    request,
                    SiteEventKind.PASSWORD_SET_BY_ADMIN,
                    target.get_username(),
                    {"password_usable": is_password_usable(after)},
                )
        return response


admin.site.unregister(User)
admin.site.register(User, RecordedUserAdmin)
