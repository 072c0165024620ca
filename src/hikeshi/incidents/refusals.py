"""Refusals of the access rules, as domain exceptions that every interface maps once.

The web answers them in hikeshi.web.refusals, the API in hikeshi.api.errors, the command
line in hikeshi.cli.errors, a background job in hikeshi.jobs.runner. Plain Python: the
command line reads this module before it sets Django up.
"""

from __future__ import annotations


class AccessRefused(Exception):
    """The access rules do not give the person what they asked for.

    ``message`` is an English message id (gettext_noop where it is written); ``params`` fill
    its placeholders once it is translated for the reader. ``subject`` names the kind of
    thing refused (``incident``, ``job`` …), so that an interface can say where to look.
    """

    def __init__(self, message: str, *, subject: str, **params: str | int) -> None:
        self.message = message
        self.subject = subject
        self.params = params
        super().__init__(self.english)

    @property
    def english(self) -> str:
        """Return the message in English with its placeholders filled (API, CLI, logs)."""
        return self.message % self.params if self.params else self.message

    def translated(self) -> str:
        """Return the message in the active language with its placeholders filled."""
        from django.utils.translation import gettext

        message = gettext(self.message)
        return message % self.params if self.params else message


class NotVisible(AccessRefused):
    """For this person the thing does not exist: an outsider must not learn that it does.

    The web and the API answer 404 with words that never vary.
    """


class NotPermitted(AccessRefused):
    """The person sees the thing but may not do this (a viewer writing): 403."""
