"""Forms of the timeline: one event by hand, or a CSV file of events."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import WallClockField, ZonedForm, model_label
from hikeshi.incidents.models import TimelineEvent
from hikeshi.incidents.services.timeline import IMPORT_MAX_BYTES
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
    description = forms.CharField(
        label=model_label(TimelineEvent, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.CharField(
        label=model_label(TimelineEvent, "source"), required=False, max_length=200
    )
    device = forms.CharField(
        label=model_label(TimelineEvent, "device"), required=False, max_length=200
    )


class TimelineImportForm(forms.Form):
    """A CSV file of events (Timesketch columns: datetime or timestamp, message)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: datetime (or timestamp) and message (or description); optional: "
            "precision, source, device. Times without a zone are read in the incident's zone."
        ),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; split it and import the parts."),
                params={"limit": filesizeformat(IMPORT_MAX_BYTES)},
            )
        return upload
