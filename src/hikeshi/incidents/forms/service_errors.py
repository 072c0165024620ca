"""Showing a service's refusal on the form field it concerns, in the reader's language."""

from __future__ import annotations

from django import forms

from hikeshi.incidents.services.errors import InvalidInput


def show_service_error(form: forms.Form, error: InvalidInput) -> None:
    """Attach the error to its field on the form (or to the whole form if it has none)."""
    # The services mark their messages with gettext_noop; they are translated here, for the
    # person reading the page, so that the API and the CLI keep their own language.
    form.add_error(error.field if error.field in form.fields else None, error.translated())
