"""The JPCERT/CC standard incident handling flow (付録B インシデント対応フロー) as typed data."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from pydantic import Field, HttpUrl, model_validator

from hikeshi.datafiles.loading import load_file
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import TranslatedText

# One checklist vocabulary and id scheme for every guidance source.
from hikeshi.guidance.procedures import ChecklistPhase, EntryId


class FlowPhaseId(StrEnum):
    """The flow's four processes, in the order the flow lists them."""

    DETECTION = "detection"  # 検知/連絡受付
    TRIAGE = "triage"  # トリアージ
    RESPONSE = "response"  # インシデントレスポンス
    REPORTING = "reporting"  # 報告/情報公開


class CaseType(StrEnum):
    """The incident cases the flow adds ◇ notes for."""

    TARGETED_MAIL = "targeted_mail"  # 標的型メール攻撃
    RANSOMWARE = "ransomware"  # ランサムウェア


class Point(DataModel):
    """A point (・) of a requirement group: one action of the flow."""

    id: EntryId
    checklist_phase: ChecklistPhase
    text: TranslatedText
    # The 【…】 branch a point belongs to, e.g. "when judged to be an incident".
    condition: TranslatedText | None = None
    note: TranslatedText | None = None


class RequirementGroup(DataModel):
    """A requirement (◆) of a phase with its points."""

    id: EntryId
    title: TranslatedText
    points: list[Point] = Field(min_length=1)


class CaseNote(DataModel):
    """A case-specific note (◇ …（標的型メール攻撃の場合）) attached to a phase."""

    id: EntryId
    case: CaseType
    checklist_phase: ChecklistPhase
    text: TranslatedText
    note: TranslatedText | None = None


class RecordItem(DataModel):
    """One thing to write down when an incident is detected or reported."""

    id: EntryId
    checklist_phase: ChecklistPhase
    text: TranslatedText
    note: TranslatedText | None = None


class RecordList(DataModel):
    """The example record items (記録事項例) of a phase."""

    id: EntryId
    title: TranslatedText
    items: list[RecordItem] = Field(min_length=1)


class FlowPhase(DataModel):
    """One process of the flow: its requirements, record items and case notes."""

    id: FlowPhaseId
    name: TranslatedText
    groups: list[RequirementGroup] = Field(min_length=1)
    records: RecordList | None = None
    case_notes: list[CaseNote] = []

    def entries(self) -> Iterator[Point | RecordItem | CaseNote]:
        """Return every checklist entry of the phase: points, record items, case notes."""
        for group in self.groups:
            yield from group.points
        if self.records is not None:
            yield from self.records.items
        yield from self.case_notes

    @model_validator(mode="after")
    def _ids_name_the_phase(self) -> FlowPhase:
        # The id says where the entry sits, so a moved entry cannot keep a misleading id.
        prefix = f"flow.{self.id}."
        for group in self.groups:
            if not group.id.startswith(prefix):
                raise ValueError(f"{group.id}: id must start with {prefix}")
            for point in group.points:
                if not point.id.startswith(f"{group.id}."):
                    raise ValueError(f"{point.id}: id must start with {group.id}.")
        others: list[str] = [note.id for note in self.case_notes]
        if self.records is not None:
            others += [self.records.id, *(item.id for item in self.records.items)]
        for entry_id in others:
            if not entry_id.startswith(prefix):
                raise ValueError(f"{entry_id}: id must start with {prefix}")
        return self


class Source(DataModel):
    """Where the flow comes from."""

    title: TranslatedText
    publisher: TranslatedText
    url: HttpUrl


class FlowFile(DataModel):
    """The content of flow.yaml."""

    title: TranslatedText
    intro: TranslatedText
    phases: list[FlowPhase] = Field(min_length=4, max_length=4)
    # The flow's closing remark: the processes have no fixed order.
    ordering_note: TranslatedText
    source: Source

    def phase(self, phase_id: FlowPhaseId) -> FlowPhase:
        """Return one phase of the flow (validation guarantees all four exist)."""
        return next(phase for phase in self.phases if phase.id is phase_id)

    def entries(self) -> Iterator[Point | RecordItem | CaseNote]:
        """Return every checklist entry of the flow in phase order."""
        for phase in self.phases:
            yield from phase.entries()

    def case_notes(self, case: CaseType) -> list[CaseNote]:
        """Return the notes for one case across all phases, in phase order."""
        return [note for phase in self.phases for note in phase.case_notes if note.case is case]

    @model_validator(mode="after")
    def _consistent(self) -> FlowFile:
        if [phase.id for phase in self.phases] != list(FlowPhaseId):
            raise ValueError(f"phases must be {[p.value for p in FlowPhaseId]} in that order")
        ids = [entry.id for entry in self.entries()]
        ids += [group.id for phase in self.phases for group in phase.groups]
        ids += [phase.records.id for phase in self.phases if phase.records is not None]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {duplicates}")
        return self


def load_flow(data_dir: Path) -> FlowFile:
    """Return the validated incident handling flow from ``data_dir/flow.yaml``."""
    return load_file(data_dir / "flow.yaml", FlowFile)
