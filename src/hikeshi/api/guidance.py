"""The guidance knowledge base in the API: the matrix, incident types, contacts, consultation."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, P, QueryEx, Router, Schema
from ninja.errors import ValidationError

from hikeshi.api.contacts import DeploymentContactOut
from hikeshi.api.schemas import READ_ERRORS, InvalidFields, Message
from hikeshi.datafiles.text import TranslatedText
from hikeshi.directory.selectors import deployment_contacts
from hikeshi.guidance.consultation import Guide, Question, Statement
from hikeshi.guidance.contacts import Contact, ContactKind
from hikeshi.guidance.export import as_json, item_as_json
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.guidance.matrix import Applicability, MatrixType, Phase
from hikeshi.incidents.vocabulary import IncidentType


class MatrixTargetOut(Schema):
    """A matrix target (PROXY, FireWall, DNS …): its code and name."""

    code: str
    ja: str
    en: str


class MatrixItemOut(Schema):
    """One numbered item of the JPCERT/CC matrix, as in the export."""

    number: int
    target: MatrixTargetOut
    phase: Phase
    applicability: dict[MatrixType, Applicability] = Field(
        description="per matrix column: required (○), conditional (△) or none"
    )
    title: TranslatedText
    steps: list[TranslatedText]
    references: list[str]
    condition: TranslatedText | None = Field(description="when a conditional (△) item applies")
    inferred: bool = Field(description="the seed was unclear here; the note says how it was read")
    note: TranslatedText | None
    log_checks: list[str]


class IncidentTypeOut(Schema):
    """An incident type and the guidance it draws on."""

    code: IncidentType
    name: TranslatedText
    description: TranslatedText
    matrix_types: list[MatrixType] = Field(description="the matrix columns whose items apply")
    rationale: TranslatedText
    sme_procedures: list[str]
    flow_cases: list[str]
    first_response_cases: list[str]


class WalkOutcomeOut(Schema):
    """Where to go, with every contact spelled out."""

    id: str
    title: TranslatedText
    advice: list[Statement]
    contacts: list[Contact] = Field(description="the guidance contacts the outcome names")
    deployment_contact_kinds: list[ContactKind] = Field(
        description="kinds of contact the organisation keeps itself (its vendor, its insurer)"
    )
    deployment_contacts: list[DeploymentContactOut] = Field(
        description="the organisation's own contacts of those kinds"
    )
    guides: list[Guide]
    inferred: bool
    note: TranslatedText | None
    sources: list[str]


class WalkOut(Schema):
    """Where the consultation stands after the answers given so far."""

    answers: list[str]
    outcomes: list[WalkOutcomeOut]
    next_question: Question | None = Field(description="null once the walk has ended")
    finished: bool


router = Router(tags=["guidance"])

ANSWERS_HELP = "answer ids in order from the first question, comma-separated"


@cache
def _export() -> dict[str, Any]:
    # The knowledge base is loaded once per process, so its export can be too.
    document: dict[str, Any] = json.loads(as_json(knowledge_base()))
    return document


@router.get("/guidance", response={200: dict[str, Any], 401: Message})
def get_guidance(request: HttpRequest) -> dict[str, Any]:
    """The whole knowledge base, in the JSON shape of ``hikeshi guidance export``.

    Keys: rules, targets, items (the 75 matrix items), incident_types, procedures, flow,
    cases, consultation, contacts.
    """
    return _export()


@router.get("/guidance/items/{number}", response={200: MatrixItemOut, **READ_ERRORS})
def get_matrix_item(request: HttpRequest, number: int) -> dict[str, Any]:
    """One item of the JPCERT/CC matrix by its number (1 to 75)."""
    kb = knowledge_base()
    try:
        item = kb.matrix.item(number)
    except KeyError:
        raise Http404("no such matrix item") from None
    return item_as_json(kb, item)


@router.get("/guidance/incident-types", response={200: list[IncidentTypeOut], 401: Message})
def list_incident_types(request: HttpRequest) -> list[dict[str, Any]]:
    """The incident types, in the order of the picker, with the guidance each draws on."""
    types = knowledge_base().incident_types.incident_types
    return [entry.model_dump(mode="json") for entry in types]


@router.get("/guidance/contacts", response={200: list[Contact], 401: Message})
def list_guidance_contacts(request: HttpRequest) -> list[Contact]:
    """The public bodies and desks the guidance names (IPA, JPCERT/CC, police, PPC …)."""
    return list(knowledge_base().contacts.contacts)


@router.get(
    "/guidance/consultation/walk", response={200: WalkOut, 401: Message, 422: InvalidFields}
)
def walk_consultation(
    request: HttpRequest,
    answers: QueryEx[str, P(description=ANSWERS_HELP)] = "",
) -> WalkOut:
    """Where to consult: the outcomes the answers lead to so far, and the next question.

    Start with no answers to get the first question; add its chosen answer's id, and so
    on until ``finished``. Unknown or surplus answers are refused (422).
    """
    chosen = [answer.strip() for answer in answers.split(",") if answer.strip()]
    kb = knowledge_base()
    try:
        walk = kb.consultation.walk(chosen)
    except KeyError as exc:
        problem = {"loc": ["query", "answers"], "msg": str(exc.args[0]), "type": "value_error"}
        raise ValidationError([problem]) from None
    kinds = {str(kind) for outcome in walk.outcomes for kind in outcome.deployment_contacts}
    own = deployment_contacts(kinds)
    outcomes = [
        WalkOutcomeOut(
            id=outcome.id,
            title=outcome.title,
            advice=outcome.advice,
            contacts=[kb.contacts.get(contact) for contact in outcome.contacts],
            deployment_contact_kinds=outcome.deployment_contacts,
            deployment_contacts=[
                DeploymentContactOut.model_validate(contact)
                for contact in own
                if contact.kind in outcome.deployment_contacts
            ],
            guides=[kb.consultation.guide(guide) for guide in outcome.guides],
            inferred=outcome.inferred,
            note=outcome.note,
            sources=outcome.sources,
        )
        for outcome in walk.outcomes
    ]
    return WalkOut(
        answers=chosen, outcomes=outcomes, next_question=walk.next_question, finished=walk.finished
    )
