"""Creating accounts from the command line: the account and its site-log entry together."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from hikeshi.sitelog.services import DetailValue, SiteEventKind, record_site_event


def create_account(
    username: str,
    *,
    email: str,
    password: str,
    site_admin: bool,
    detail: dict[str, DetailValue],
) -> User:
    """Return the new account, created in one transaction with its site-log entry.

    ``detail`` says how it was made (``via``, who ran the command …); IntegrityError if the
    name was taken meanwhile.
    """
    with transaction.atomic():
        if site_admin:
            user = User.objects.create_superuser(username, email=email, password=password)
        else:
            user = User.objects.create_user(username, email=email, password=password)
        record_site_event(
            SiteEventKind.USER_CREATED,
            actor=None,
            subject=username,
            detail={**detail, "site_admin": site_admin},
        )
    return user
