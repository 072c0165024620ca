"""Site log entries (append-only, hash-chained) and the single row that anchors the chain."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hikeshi.sitelog.vocabulary import site_event_choices

# The head row's fixed primary key: there is exactly one chain, so exactly one head.
HEAD_ID = 1


class AppendOnlyError(RuntimeError):
    """A site log entry may not be changed or deleted, nor the log's head removed."""


class SiteLogEntryQuerySet(models.QuerySet["SiteLogEntry"]):
    """Queries over site log entries; bulk changes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("site log entries are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("site log entries are append-only")


class SiteLogEntry(models.Model):
    """One account event: who did what to which account, when and from where."""

    # Position in the site's one chain, from 1.
    sequence = models.PositiveBigIntegerField(_("number"), unique=True)
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The name at the time: renaming or deleting an account must not rewrite history.
    actor_name = models.CharField(_("by"), max_length=300)
    kind = models.CharField(_("event"), max_length=40, choices=site_event_choices)
    # The account concerned, by name: it may be deleted later, or never have existed
    # (a lock-out of a mistyped user name).
    subject = models.CharField(_("account"), max_length=150, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    client_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)

    objects = SiteLogEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["sequence"]
        verbose_name = _("site log entry")
        verbose_name_plural = _("site log entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("site log entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("site log entries are append-only")


class SiteLogHeadQuerySet(models.QuerySet["SiteLogHead"]):
    """Queries over the head row; it is moved forward by the service, never deleted."""

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the site log's head is never deleted")


class SiteLogHead(models.Model):
    """The chain's length and newest hash, kept apart so that cutting off entries shows."""

    length = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True)

    objects = SiteLogHeadQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(id=HEAD_ID), name="sitelog_single_head_row")
        ]

    def __str__(self) -> str:
        return f"{self.length} entries, head {self.head[:12]}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the site log's head is never deleted")
