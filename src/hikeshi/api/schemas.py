"""The shapes of the API's requests and responses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, PlainSerializer, WithJsonSchema

from hikeshi.incidents.models import ActionRecord, Membership
from hikeshi.incidents.services.incidents import IncidentInput
from hikeshi.incidents.vocabulary import (
    IncidentType,
    Level,
    Priority,
    Role,
    Status,
    TimePrecision,
)


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# An instant: ISO 8601 with an offset on the way in (naive times are refused, 422), UTC
# with "+00:00" and full microseconds on the way out (action hashes cover microseconds).
Instant = Annotated[
    AwareDatetime,
    PlainSerializer(_utc_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

VERSION_HELP = "the version you read; a stale one answers 409"


# --- errors ---------------------------------------------------------------------------


class Message(Schema):
    """An error explained in one sentence."""

    detail: str


class Conflict(Schema):
    """Someone else changed the incident first; reload it and apply your change again."""

    detail: str
    current_version: int | None


class FieldError(Schema):
    """One invalid field: ``loc`` ends with the field's name."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidFields(Schema):
    """The request was refused because of these fields."""

    detail: list[FieldError]


READ_ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: Message, 422: InvalidFields}
VERSIONED_WRITE_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 409: Conflict}


# --- incidents ------------------------------------------------------------------------


class IncidentIn(Schema):
    """The intake record items of the JPCERT/CC handling flow and the IPA SME guide."""

    title: str = Field(min_length=1, max_length=200)
    detected_at: Instant = Field(description="when it was detected or reported (発覚日時)")
    types: list[IncidentType] = Field(default_factory=list)
    organisation: str = Field("", max_length=200, description="事業者")
    commissioning_organisation: str = Field("", max_length=200, description="委託元")
    estimated_start: Instant | None = Field(None, description="estimated start (発生日時)")
    estimated_start_precision: TimePrecision = TimePrecision.ABOUT
    reporter: str = Field("", max_length=200, description="who discovered or reported it")
    reporter_contact: str = Field("", max_length=200)
    location: str = Field("", description="where: systems, servers, network devices")
    what_happened: str = Field("", description="発生事象")
    assumed_cause: str = Field("", description="想定される原因")
    affected_systems: str = ""
    system_configuration: str = ""
    time_zone: str = Field("Asia/Tokyo", max_length=64, description="IANA name, for display")

    def to_input(self) -> IncidentInput:
        """Return the service's input (plain strings in place of vocabulary members)."""
        return IncidentInput(
            title=self.title,
            detected_at=self.detected_at,
            types=[str(code) for code in self.types],
            organisation=self.organisation,
            commissioning_organisation=self.commissioning_organisation,
            estimated_start=self.estimated_start,
            estimated_start_precision=str(self.estimated_start_precision),
            reporter=self.reporter,
            reporter_contact=self.reporter_contact,
            location=self.location,
            what_happened=self.what_happened,
            assumed_cause=self.assumed_cause,
            affected_systems=self.affected_systems,
            system_configuration=self.system_configuration,
            time_zone=self.time_zone,
        )


class IncidentUpdate(IncidentIn):
    """All intake items (a full replacement) and the version they were read at."""

    version: int = Field(description=VERSION_HELP)


class IncidentOut(Schema):
    """An incident: its intake items, triage and place in the lifecycle."""

    id: int
    title: str
    types: list[IncidentType]
    organisation: str
    commissioning_organisation: str
    detected_at: Instant
    estimated_start: Instant | None
    estimated_start_precision: TimePrecision
    reporter: str
    reporter_contact: str
    location: str
    what_happened: str
    assumed_cause: str
    affected_systems: str
    system_configuration: str
    time_zone: str
    status: Status
    is_incident: bool | None
    not_incident_reason: str
    urgency: Level | None
    impact: Level | None
    priority: Priority = Field(description="1 is handled first; 9 means not triaged")
    triaged_at: Instant | None
    is_demo: bool
    created_at: Instant
    updated_at: Instant
    version: int = Field(description="send it back with every change")


class IncidentFilter(Schema):
    """Which incidents to list; every filter is optional."""

    status: Status | None = None
    type: IncidentType | None = None
    priority: Priority | None = None


class TriageIn(Schema):
    """The triage decision: an incident (with urgency and impact) or not (with a reason)."""

    is_incident: bool
    urgency: Level | None = Field(None, description="required when is_incident")
    impact: Level | None = Field(None, description="required when is_incident")
    not_incident_reason: str = Field("", description="required when not is_incident")
    version: int = Field(description=VERSION_HELP)


class StatusIn(Schema):
    """A move through the lifecycle (``not_incident`` is decided in triage)."""

    status: Status
    reason: str = ""
    version: int = Field(description=VERSION_HELP)


# --- action records -------------------------------------------------------------------


class ActionIn(Schema):
    """What a person did: what, when, on what (scope) and how (settings)."""

    what: str = Field(min_length=1)
    performed_at: Instant | None = Field(None, description="defaults to now")
    scope: str = Field("", description="範囲: the machines, accounts or data acted on")
    settings: str = Field("", description="設定内容: the settings or commands used")
    note: str = ""
    corrects: int | None = Field(None, description="id of the action record this corrects")


class ActionOut(Schema):
    """One action record of the incident's append-only, hash-chained log."""

    id: int
    sequence: int
    kind: str
    what: str
    performed_at: Instant
    recorded_at: Instant
    actor: str
    scope: str
    settings: str
    note: str
    corrects: int | None
    checklist_item_ref: str
    evidence_ref: str
    finding_ref: str
    prev_hash: str
    record_hash: str

    @staticmethod
    def resolve_actor(obj: ActionRecord) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_settings(obj: ActionRecord) -> str:
        return obj.settings_text

    @staticmethod
    def resolve_corrects(obj: ActionRecord) -> int | None:
        return obj.corrects_id


# --- timeline -------------------------------------------------------------------------


class EventIn(Schema):
    """Something that happened, at a possibly approximate time."""

    occurred_at: Instant
    description: str = Field(min_length=1)
    precision: TimePrecision = TimePrecision.EXACT
    source: str = Field("", max_length=200, description="defaults to 'manual'")
    device: str = Field("", max_length=200)


class EventOut(Schema):
    """A timeline event."""

    id: int
    occurred_at: Instant
    precision: TimePrecision
    source: str
    device: str
    description: str


class TimelineEntryOut(Schema):
    """One line of the timeline: an event, or an action record (with its hash)."""

    at: Instant
    precision: TimePrecision
    entry_type: Literal["event", "action"]
    source: str
    device: str
    description: str
    actor: str
    scope: str
    settings: str
    record_hash: str
    action_id: int | None


# --- members --------------------------------------------------------------------------


class MemberIn(Schema):
    """Give a person a role in the incident, or remove them with a null role."""

    username: str
    role: Role | None
    affiliation: str = Field("", max_length=200, description="所属")


class MemberOut(Schema):
    """A person taking part in the incident."""

    username: str
    full_name: str
    role: Role
    affiliation: str

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.user.get_full_name()


# --- audit ----------------------------------------------------------------------------


class ChainStatus(Schema):
    """One incident's hash chain: intact, or where it first breaks."""

    incident_id: int
    intact: bool
    sequence: int | None = None
    record_id: int | None = None
    problem: str = ""


class AuditReport(Schema):
    """The hash chains of every incident."""

    intact: bool
    incidents: list[ChainStatus]
