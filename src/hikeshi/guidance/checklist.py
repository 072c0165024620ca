"""Which guidance steps an incident of given types must work through, in working order.

Sources, all merged into one list without duplicates:
- the JPCERT/CC matrix items of the matrix columns the types draw from (○ required, △
  conditional; required wins when two types disagree);
- the JPCERT/CC handling flow's points (every incident) and its case notes (by type);
- the IPA SME guide's basic steps (every incident) and its category procedures (by type);
- the first response by case (seed 001, by type).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache

from hikeshi.datafiles.text import TranslatedText
from hikeshi.guidance.knowledge import KnowledgeBase, knowledge_base
from hikeshi.guidance.matrix import Applicability, MatrixItem
from hikeshi.guidance.procedures import CategoryId, ChecklistPhase, LeakCause, Step

PHASES: tuple[str, ...] = tuple(p.value for p in ChecklistPhase)
REQUIRED = "required"
CONDITIONAL = "conditional"

_FLOW_GROUP = TranslatedText(ja="JPCERT/CC 対応フロー", en="JPCERT/CC handling flow")
_CASES_GROUP = TranslatedText(ja="ケース別の初動対応", en="First response by case")
_SME_BASIC = TranslatedText(ja="IPA 手引き: 基本ステップ", en="IPA SME guide: basic steps")


@dataclass(frozen=True)
class GuidanceStep:
    """One checklist entry as the guidance states it."""

    key: str  # "matrix:28", "procedure:sme.…", "flow:flow.…", "case:cases.…"
    source: str  # matrix | procedure | flow | case
    phase: str
    group: str  # a stable code: the matrix target, or the guide section
    group_name: TranslatedText
    title: TranslatedText
    requirement: str = REQUIRED
    details: tuple[TranslatedText, ...] = ()
    condition: TranslatedText | None = None
    note: TranslatedText | None = None
    references: tuple[str, ...] = ()
    log_checks: tuple[str, ...] = ()
    number: int | None = None
    # Which incident types ask for it (filled per incident).
    asked_by: tuple[str, ...] = field(default=())


def _matrix_step(kb: KnowledgeBase, item: MatrixItem) -> GuidanceStep:
    return GuidanceStep(
        key=f"matrix:{item.number}",
        source="matrix",
        phase=item.phase.value,
        group=item.target,
        group_name=kb.matrix.target(item.target).name,
        title=item.title,
        details=tuple(item.steps),
        condition=item.condition,
        note=item.note,
        references=tuple(str(url) for url in item.references),
        log_checks=tuple(item.log_checks),
        number=item.number,
    )


def _procedure_step(step: Step, group: str, group_name: TranslatedText) -> GuidanceStep:
    return GuidanceStep(
        key=f"procedure:{step.id}",
        source="procedure",
        phase=step.checklist_phase.value,
        group=group,
        group_name=group_name,
        title=step.text,
        note=step.note,
    )


def _procedure_steps(kb: KnowledgeBase, procedure: str) -> Iterator[GuidanceStep]:
    category_id, _, cause = procedure.partition(".")
    category = kb.procedures.category(CategoryId(category_id))
    steps = category.steps_for(LeakCause(cause)) if cause else category.steps
    name = TranslatedText(
        ja=f"IPA 手引き: {category.name.ja}", en=f"IPA SME guide: {category.name.en}"
    )
    for step in steps:
        yield _procedure_step(step, f"sme.{category.id.value}", name)


def _flow_steps(kb: KnowledgeBase, cases: set[str]) -> Iterator[GuidanceStep]:
    for phase in kb.flow.phases:
        group_name = TranslatedText(
            ja=f"{_FLOW_GROUP.ja}: {phase.name.ja}", en=f"{_FLOW_GROUP.en}: {phase.name.en}"
        )
        for group in phase.groups:
            for point in group.points:
                yield GuidanceStep(
                    key=f"flow:{point.id}",
                    source="flow",
                    phase=point.checklist_phase.value,
                    group=f"flow.{phase.id.value}",
                    group_name=group_name,
                    title=point.text,
                    requirement=CONDITIONAL if point.condition else REQUIRED,
                    condition=point.condition,
                    note=point.note,
                    details=(group.title,),
                )
        for note in phase.case_notes:
            if note.case.value in cases:
                yield GuidanceStep(
                    key=f"flow:{note.id}",
                    source="flow",
                    phase=note.checklist_phase.value,
                    group=f"flow.{phase.id.value}",
                    group_name=group_name,
                    title=note.text,
                    note=note.note,
                )


def _case_steps(kb: KnowledgeBase, cases: set[str]) -> Iterator[GuidanceStep]:
    for case in kb.cases.first_response.cases:
        if case.id.removeprefix("cases.") not in cases:
            continue
        for step in case.steps:
            yield GuidanceStep(
                key=f"case:{step.id}",
                source="case",
                phase=step.checklist_phase.value,
                group=case.id,
                group_name=_CASES_GROUP,
                title=step.text,
                details=(case.situation,),
                note=step.note,
            )


def checklist_steps(kb: KnowledgeBase, type_codes: Iterable[str]) -> list[GuidanceStep]:
    """Return the steps for an incident of these types, in working order, each once."""
    types = [kb.incident_type(code) for code in dict.fromkeys(type_codes)]
    found: dict[str, GuidanceStep] = {}

    def add(step: GuidanceStep, asked_by: str) -> None:
        existing = found.get(step.key)
        if existing is None:
            found[step.key] = replace(step, asked_by=(asked_by,))
            return
        requirement = (
            REQUIRED if REQUIRED in (existing.requirement, step.requirement) else (CONDITIONAL)
        )
        askers = existing.asked_by + ((asked_by,) if asked_by not in existing.asked_by else ())
        found[step.key] = replace(existing, requirement=requirement, asked_by=askers)

    for incident_type in types:
        code = incident_type.code.value
        for matrix_type in incident_type.matrix_types:
            for item in kb.matrix.items:
                cell = item.applicability.for_type(matrix_type)
                if cell is Applicability.NONE:
                    continue
                requirement = REQUIRED if cell is Applicability.REQUIRED else CONDITIONAL
                add(replace(_matrix_step(kb, item), requirement=requirement), code)
        for procedure in incident_type.sme_procedures:
            for step in _procedure_steps(kb, procedure.value):
                add(step, code)
    # The handling flow and the guide's basic steps apply to every incident, typed or not:
    # an incident whose type is still unknown needs its first steps most of all.
    flow_cases = {c.value for t in types for c in t.flow_cases}
    first_cases = {c.value for t in types for c in t.first_response_cases}
    codes = ",".join(t.code.value for t in types) or "any"
    for step in _flow_steps(kb, flow_cases):
        add(step, codes)
    for basic in kb.procedures.basic.steps:
        add(_procedure_step(basic, "sme.basic", _SME_BASIC), codes)
    for step in _case_steps(kb, first_cases):
        add(step, codes)
    return sorted(found.values(), key=_working_order(kb))


@cache
def packaged_catalogue() -> dict[str, GuidanceStep]:
    """Return the catalogue of the packaged knowledge base, built once per process."""
    return catalogue(knowledge_base())


def catalogue(kb: KnowledgeBase) -> dict[str, GuidanceStep]:
    """Return every step any incident type can ask for, by key (for showing stored items)."""
    all_types = [t.code.value for t in kb.incident_types.incident_types]
    return {step.key: step for step in checklist_steps(kb, all_types)}


def _working_order(kb: KnowledgeBase) -> Callable[[GuidanceStep], tuple[int, int, int, int]]:
    """Return a sort key: phase, then source (cases first: they are the plainest first
    steps), then matrix target order, then item number; file order breaks ties."""
    target_order = {t.code: i for i, t in enumerate(kb.matrix.targets)}
    source_order = {"case": 0, "matrix": 1, "flow": 2, "procedure": 3}

    def key(step: GuidanceStep) -> tuple[int, int, int, int]:
        return (
            PHASES.index(step.phase),
            source_order[step.source],
            target_order.get(step.group, len(target_order)),
            step.number or 0,
        )

    return key
