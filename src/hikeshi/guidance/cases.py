"""First response by case and where to report an incident (Q&A and reference lists) as data."""

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


class Obligation(StrEnum):
    """How binding a report is, as the source words it."""

    OBLIGATION = "obligation"  # the text says reporting is required
    RECOMMENDED = "recommended"  # the text asks for it but allows not reporting
    VOLUNTARY = "voluntary"  # the text says there is no duty to report


class Recipient(StrEnum):
    """Who a report goes to."""

    POLICE = "police"
    MINISTRY = "ministry"
    PPC = "ppc"  # 個人情報保護委員会
    GDPR = "gdpr"
    JPCERT_CC = "jpcert_cc"
    CERTIFICATION_BODY = "certification_body"  # ISMS and other certification bodies
    PRIVACY_MARK = "privacy_mark"  # the P-mark review body


class ReferenceTiming(StrEnum):
    """Whether a reference list is for preparation or for use during an incident."""

    BEFORE = "before"
    DURING = "during"


class CaseStep(DataModel):
    """One action of a case's first response."""

    id: EntryId
    checklist_phase: ChecklistPhase
    text: TranslatedText
    note: TranslatedText | None = None


class FirstResponseCase(DataModel):
    """A situation and the first response the source gives for it."""

    id: EntryId
    situation: TranslatedText
    steps: list[CaseStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _step_ids_name_the_case(self) -> FirstResponseCase:
        for step in self.steps:
            if not step.id.startswith(f"{self.id}."):
                raise ValueError(f"{step.id}: id must start with {self.id}.")
        return self


class Advice(DataModel):
    """A supplementary point of an answer (e.g. which police department handles it)."""

    id: EntryId
    text: TranslatedText


class ReportingTarget(DataModel):
    """Where to report, when, and how binding it is."""

    id: EntryId
    checklist_phase: ChecklistPhase
    recipient: Recipient
    name: TranslatedText
    # Quoted from the answer: the situation in which the report applies.
    applies_when: TranslatedText
    obligation: Obligation
    # What makes the report binding (a law, a certification agreement ...).
    basis: TranslatedText | None = None
    answer: TranslatedText
    advice: list[Advice] = []
    # The page the answer refers to; url stays empty where the source gives none.
    page: TranslatedText | None = None
    url: HttpUrl | None = None
    note: TranslatedText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ReportingTarget:
        if self.checklist_phase is not ChecklistPhase.REPORTING:
            raise ValueError("a reporting target belongs to the reporting phase")
        if self.obligation is Obligation.OBLIGATION and self.basis is None:
            raise ValueError("an obligation must name its basis")
        return self


class Question(DataModel):
    """A question of the Q&A with the reporting targets its answer names."""

    id: EntryId
    question: TranslatedText
    intro: TranslatedText | None = None
    targets: list[ReportingTarget] = Field(min_length=1)


class ReferenceRow(DataModel):
    """A row of a reference list: what it helps with, and which organisation's page."""

    id: EntryId
    topic: TranslatedText
    organisation: TranslatedText
    page: TranslatedText | None = None
    url: HttpUrl | None = None
    note: TranslatedText | None = None


class ReferenceList(DataModel):
    """A table of contacts and reference pages (before or during an incident)."""

    id: EntryId
    timing: ReferenceTiming
    title: TranslatedText
    intro: TranslatedText
    rows: list[ReferenceRow] = Field(min_length=1)


class FirstResponseSection(DataModel):
    """The first-response-by-case section."""

    title: TranslatedText
    intro: TranslatedText
    cases: list[FirstResponseCase] = Field(min_length=1)


class ReportingSection(DataModel):
    """The Q&A on reporting to the police, ministries and other bodies."""

    title: TranslatedText
    intro: TranslatedText
    questions: list[Question] = Field(min_length=1)


class CasesFile(DataModel):
    """The content of cases.yaml."""

    first_response: FirstResponseSection
    reporting: ReportingSection
    reference_lists: list[ReferenceList] = Field(min_length=1)

    def targets(self) -> Iterator[ReportingTarget]:
        """Return every reporting target in Q&A order."""
        for question in self.reporting.questions:
            yield from question.targets

    def target(self, recipient: Recipient) -> ReportingTarget:
        """Return the reporting target for one recipient; raise KeyError if there is none."""
        for target in self.targets():
            if target.recipient is recipient:
                return target
        raise KeyError(recipient)

    def references(self, timing: ReferenceTiming) -> list[ReferenceRow]:
        """Return the reference rows for before or during an incident."""
        return [row for ref in self.reference_lists if ref.timing is timing for row in ref.rows]

    def ids(self) -> list[str]:
        """Return every entry id in file order (duplicates included)."""
        found: list[str] = []
        for case in self.first_response.cases:
            found += [case.id, *(step.id for step in case.steps)]
        for question in self.reporting.questions:
            found.append(question.id)
            for target in question.targets:
                found += [target.id, *(advice.id for advice in target.advice)]
        for ref in self.reference_lists:
            found += [ref.id, *(row.id for row in ref.rows)]
        return found

    @model_validator(mode="after")
    def _consistent(self) -> CasesFile:
        ids = self.ids()
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {duplicates}")
        recipients = [target.recipient for target in self.targets()]
        if len(set(recipients)) != len(recipients):
            raise ValueError("each recipient is answered once")
        return self


def load_cases(data_dir: Path) -> CasesFile:
    """Return the validated first-response cases and reporting Q&A from ``data_dir/cases.yaml``."""
    return load_file(data_dir / "cases.yaml", CasesFile)
