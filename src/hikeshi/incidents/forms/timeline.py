"""Forms of the timeline: one event by hand, or a CSV file of events."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import WallClockField, ZonedForm, column_text, model_label
from hikeshi.incidents.models import TimelineEvent
from hikeshi.incidents.services.timeline_import import IMPORT_MAX_BYTES
from hikeshi.incidents.vocabulary import TimePrecision


class EventForm(ZonedForm):
    """Something that happened, at a time known exactly, approximately or to the day."""

    zoned_fields = ("occurred_at",)

    occurred_at = WallClockField(label=model_label(TimelineEvent, "occurred_at"))
    precision = forms.ChoiceField(
        label=model_label(TimelineEvent, "precision"),
        choices=TimePrecision.choices,
        initial=TimePrecision.EXACT,
    )
    description = column_text(TimelineEvent, "description", required=True)
    source = column_text(TimelineEvent, "source")
    device = column_text(TimelineEvent, "device")


class TimelineImportForm(forms.Form):
    """A CSV file of events (Timesketch or Japanese column names; see the page for formats)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 or Shift_JIS. Needs a time column (datetime, timestamp or 日時) and a text "
            "column (message or 内容); times without a zone are read in the incident's zone."
        ),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is larger than %(limit)s; split it and import the parts."),
                params={"name": upload.name or "", "limit": filesizeformat(IMPORT_MAX_BYTES)},
            )
        return upload
