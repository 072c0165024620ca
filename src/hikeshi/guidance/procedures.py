"""IPA's incident-response guide for SMEs (中小企業のためのセキュリティインシデント対応の手引き)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, HttpUrl, model_validator

from hikeshi.datafiles.loading import load_file
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import TranslatedText

# Dotted, lower-case ids: stable keys that checklists and saved progress refer to.
EntryId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]*$")]


class ChecklistPhase(StrEnum):
    """Where the checklist groups an entry; shared by all guidance sources."""

    INITIAL = "initial"  # detection, first response, triage
    SCOPE = "scope"  # investigation of the extent
    PREVENTION = "prevention"  # containment, preventing (further) damage
    REPORTING = "reporting"  # reporting and disclosure
    RECOVERY = "recovery"  # recovery and recurrence prevention


class Stage(StrEnum):
    """The guide's three basic steps (ステップ1–3); also the id segment after the category."""

    DETECTION = "detection"  # 検知・初動対応
    REPORTING = "reporting"  # 報告・公表
    RECOVERY = "recovery"  # 復旧・再発防止


class Heading(StrEnum):
    """The sub-headings the guide files its steps under, within a stage."""

    DETECTION_INTAKE = "detection_intake"  # 検知と連絡受付
    RESPONSE_TEAM = "response_team"  # 対応体制の立ち上げ
    INITIAL_RESPONSE = "initial_response"  # 初動対応
    FIRST_REPORT = "first_report"  # 第一報
    FOLLOW_UP_REPORTS = "follow_up_reports"  # 第二報以降・最終報
    INVESTIGATION = "investigation"  # 調査・対応
    EVIDENCE = "evidence"  # 証拠保全
    RESTORATION = "restoration"  # 復旧
    RECURRENCE_PREVENTION = "recurrence_prevention"  # 再発防止策


class CategoryId(StrEnum):
    """The incident categories the guide gives procedures for."""

    VIRUS_INFECTION = "virus_infection"
    RANSOMWARE = "ransomware"
    INFORMATION_LEAK = "information_leak"
    SYSTEM_OUTAGE = "system_outage"


class LeakCause(StrEnum):
    """The four causes of an information leak the guide names."""

    UNAUTHORIZED_ACCESS = "unauthorized_access"  # 不正アクセス
    INSIDER = "insider"  # 内部犯行
    MISDELIVERY = "misdelivery"  # 誤送信・誤公開: mis-sent mail and mistaken web publication
    LOSS = "loss"  # 紛失・置忘れ


class Recipient(StrEnum):
    """Who a reporting step addresses, so a step can be linked to a contact."""

    MANAGEMENT = "management"
    PUBLIC = "public"
    CUSTOMERS = "customers"
    BUSINESS_PARTNERS = "business_partners"
    VICTIMS = "victims"
    PPC = "ppc"  # 個人情報保護委員会
    MINISTRY = "ministry"  # 所管の省庁
    POLICE = "police"
    IPA = "ipa"


class Step(DataModel):
    """One actionable step (one bullet of the guide, or one cause's part of a bullet)."""

    id: EntryId
    stage: Stage
    heading: Heading
    checklist_phase: ChecklistPhase
    text: TranslatedText
    # Information leak only: the causes this step is specific to; empty = every cause.
    causes: list[LeakCause] = []
    # A sub-bullet names the step it details.
    parent: EntryId | None = None
    recipients: list[Recipient] = []
    # Ids of other entries the step points to (footnotes, the P2 table, the P7 contacts).
    see: list[EntryId] = []
    # The guide lists this step once for all categories of its section (virus + ransomware).
    listed_jointly: bool = False
    note: TranslatedText | None = None

    @model_validator(mode="after")
    def _recipients_only_when_reporting(self) -> Step:
        if self.recipients and self.checklist_phase is not ChecklistPhase.REPORTING:
            raise ValueError("only reporting steps name recipients")
        return self


class ChecklistItem(DataModel):
    """A row of a table or list that a checklist can show (items to organise, 5W1H ...)."""

    id: EntryId
    checklist_phase: ChecklistPhase
    text: TranslatedText
    detail: TranslatedText | None = None
    note: TranslatedText | None = None


class Block(DataModel):
    """A titled list of checklist items (a table or a boxed list in the guide)."""

    id: EntryId
    title: TranslatedText
    items: list[ChecklistItem] = Field(min_length=1)


class HeadingInfo(DataModel):
    """A sub-heading's name as the guide prints it."""

    id: Heading
    name: TranslatedText


class StageInfo(DataModel):
    """A basic step (ステップ1–3) with its sub-headings in the guide's order."""

    id: Stage
    number: int = Field(ge=1, le=3)
    name: TranslatedText
    headings: list[HeadingInfo] = Field(min_length=1)


class BasicSteps(DataModel):
    """The basic steps (基本ステップ) that apply to every incident."""

    id: EntryId
    title: TranslatedText
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_follow_stage(self) -> BasicSteps:
        _check_prefixes(self.steps, self.id)
        return self


class CauseInfo(DataModel):
    """A cause of an information leak and whether the guide gives it its own steps."""

    id: LeakCause
    name: TranslatedText
    has_specific_steps: bool
    note: TranslatedText | None = None


class Category(DataModel):
    """An incident category with its steps, each under its stage and sub-heading."""

    id: CategoryId
    name: TranslatedText
    causes: list[CauseInfo] = []
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Category:
        _check_prefixes(self.steps, f"sme.{self.id}")
        declared = {cause.id for cause in self.causes}
        used = {cause for step in self.steps for cause in step.causes}
        if used - declared:
            raise ValueError(f"steps name undeclared causes: {sorted(used - declared)}")
        for cause in self.causes:
            if cause.has_specific_steps != (cause.id in used):
                raise ValueError(f"cause {cause.id}: has_specific_steps disagrees with the steps")
        ids = [step.id for step in self.steps]
        for index, step in enumerate(self.steps):
            if step.parent is not None and step.parent not in ids[:index]:
                raise ValueError(f"{step.id}: parent {step.parent} is not an earlier step")
        return self

    def steps_for(self, cause: LeakCause) -> list[Step]:
        """Return the steps that apply to one leak cause: general ones and its own."""
        return [step for step in self.steps if not step.causes or cause in step.causes]


class Section(DataModel):
    """A section of the guide; virus and ransomware share one."""

    id: EntryId
    title: TranslatedText
    summary: TranslatedText
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _joint_steps_in_every_category(self) -> Section:
        # A jointly listed step was split per category; no category may have lost it.
        for category in self.categories:
            for step in (s for s in category.steps if s.listed_jointly):
                for other in self.categories:
                    if not any(s.listed_jointly and s.text == step.text for s in other.steps):
                        raise ValueError(f"{step.id}: jointly listed step missing in {other.id}")
        return self


class GlossaryEntry(DataModel):
    """A footnote of the guide (※1–※4) explaining a term."""

    id: EntryId
    footnote: int = Field(ge=1)
    term: TranslatedText
    definition: TranslatedText
    see: list[EntryId] = []
    note: TranslatedText | None = None


class Link(DataModel):
    """A URL, with a label where one organisation lists several."""

    url: HttpUrl
    label: TranslatedText | None = None


class Contact(DataModel):
    """A consultation or reporting desk from the guide's P7."""

    id: EntryId
    topic: TranslatedText
    organisation: TranslatedText
    service: TranslatedText | None = None
    description: TranslatedText
    email: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]+$")
    links: list[Link] = Field(min_length=1)
    # Set where the guide's URL was corrected (e.g. a typo domain).
    note: TranslatedText | None = None


class ContactList(DataModel):
    """The guide's list of consultation and reporting desks."""

    id: EntryId
    title: TranslatedText
    intro: TranslatedText
    contacts: list[Contact] = Field(min_length=1)


class Resource(DataModel):
    """A document or site the guide recommends."""

    id: EntryId
    title: TranslatedText
    publisher: TranslatedText | None = None
    description: TranslatedText
    url: HttpUrl
    note: TranslatedText | None = None


class Overview(DataModel):
    """The guide's opening: what an incident is, why to prepare, the purpose."""

    title: TranslatedText
    definition: TranslatedText
    necessity: TranslatedText
    direct_damage: TranslatedText
    indirect_damage: TranslatedText
    damage_kinds: list[TranslatedText] = Field(min_length=1)
    purpose: TranslatedText


class ProceduresFile(DataModel):
    """The content of procedures.yaml."""

    source: TranslatedText
    overview: Overview
    stages: list[StageInfo] = Field(min_length=3, max_length=3)
    basic: BasicSteps
    sections: list[Section] = Field(min_length=1)
    items_to_organise: Block
    five_w_one_h: Block
    backup: Block
    glossary: list[GlossaryEntry] = Field(min_length=1)
    contacts: ContactList
    resources: list[Resource] = []

    def steps(self) -> Iterator[Step]:
        """Return every step: the basic steps, then each category's."""
        yield from self.basic.steps
        for section in self.sections:
            for category in section.categories:
                yield from category.steps

    def category(self, category_id: CategoryId) -> Category:
        """Return one category; raise KeyError if the file lacks it."""
        for category in (c for section in self.sections for c in section.categories):
            if category.id is category_id:
                return category
        raise KeyError(category_id)

    def ids(self) -> list[str]:
        """Return every entry id in file order (duplicates included)."""
        found: list[str] = [self.basic.id, self.contacts.id]
        found += [section.id for section in self.sections]
        found += [step.id for step in self.steps()]
        for block in (self.items_to_organise, self.five_w_one_h, self.backup):
            found += [block.id, *(item.id for item in block.items)]
        found += [entry.id for entry in self.glossary]
        found += [contact.id for contact in self.contacts.contacts]
        found += [resource.id for resource in self.resources]
        return found

    @model_validator(mode="after")
    def _consistent(self) -> ProceduresFile:
        ids = self.ids()
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {duplicates}")
        headings = {h.id: stage.id for stage in self.stages for h in stage.headings}
        for step in self.steps():
            if headings.get(step.heading) is not step.stage:
                raise ValueError(f"{step.id}: heading {step.heading} is not in stage {step.stage}")
        known = set(ids)
        references = [(s.id, s.see) for s in self.steps()] + [(g.id, g.see) for g in self.glossary]
        for owner, see in references:
            missing = [target for target in see if target not in known]
            if missing:
                raise ValueError(f"{owner}: 'see' names unknown ids {missing}")
        return self


def _check_prefixes(steps: list[Step], prefix: str) -> None:
    # The id says where the step sits, so a moved step cannot keep a misleading id.
    for step in steps:
        if not step.id.startswith(f"{prefix}.{step.stage}."):
            raise ValueError(f"{step.id}: id must start with {prefix}.{step.stage}.")


def load_procedures(data_dir: Path) -> ProceduresFile:
    """Return the validated SME guide from ``data_dir/procedures.yaml``."""
    return load_file(data_dir / "procedures.yaml", ProceduresFile)
