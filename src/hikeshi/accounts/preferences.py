"""The person's saved preferences: the only writer of Preference rows."""

from __future__ import annotations

from django.contrib.auth.models import User

from hikeshi.accounts.models import Preference


def choose_language(user: User, language: str) -> None:
    """Save the interface language the person chose (a code from settings.LANGUAGES)."""
    Preference.objects.update_or_create(user=user, defaults={"language": language})
