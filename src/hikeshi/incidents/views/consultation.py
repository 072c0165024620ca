"""Where to consult (相談先): the guidance's question flow, one question at a time.

The answers so far travel in the query string (``?a=…&a=…``), so every step is a plain
link that can be bookmarked, shared or opened again; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from hikeshi.guidance.consultation import (
    Answer,
    ConsultationFile,
    Guide,
    GuideSection,
    Outcome,
    Question,
)
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import WRITER_ROLES, incident_for, role_in
from hikeshi.incidents.models import DeploymentContact, Incident, IncidentContact
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.contact_cards import (
    ContactCard,
    deployment_card,
    guidance_cards,
    kind_label,
)
from hikeshi.incidents.views.guards import acting_user, refuse_method

ANSWER_PARAMETER = "a"
# More answers than the longest path of the flow can only be a hand-made address.
MAX_ANSWERS = 30


@dataclass(frozen=True)
class AnsweredStep:
    """A question answered on the way, with the address that asks it again."""

    question: Question
    answer: Answer
    change_url: str


@dataclass(frozen=True)
class AnswerChoice:
    """An answer to the open question, as a link carrying the answers so far."""

    answer: Answer
    url: str


@dataclass(frozen=True)
class DeploymentKind:
    """A kind of contact the organisation keeps (its vendor, its lawyer) and its entries."""

    kind: str
    label: str
    cards: list[ContactCard]


@dataclass
class OutcomeView:
    """One place to go, with its advice, the guidance's contacts and the organisation's."""

    outcome: Outcome
    contacts: list[ContactCard] = field(default_factory=list)
    deployment: list[DeploymentKind] = field(default_factory=list)


@dataclass
class GuideView:
    """A response guide an outcome names, with its sections' contacts as cards."""

    guide: Guide
    sections: list[tuple[GuideSection, list[ContactCard]]] = field(default_factory=list)


def answers_query(answers: Sequence[str], anchor: str = "") -> str:
    """Return ``?a=…&a=…`` (and an anchor) for a list of answer ids."""
    query = QueryDict(mutable=True)
    query.setlist(ANSWER_PARAMETER, list(answers))
    text = f"?{query.urlencode()}" if answers else ""
    return f"{text}#{anchor}" if anchor else text


def _valid_path(
    flow: ConsultationFile, given: Sequence[str], base_url: str
) -> tuple[list[str], list[AnsweredStep], bool]:
    """Return the answers that follow the flow, each step, and whether some were dropped."""
    question: Question | None = flow.question(flow.start)
    kept: list[str] = []
    steps: list[AnsweredStep] = []
    for answer_id in given[:MAX_ANSWERS]:
        if question is None:
            break
        answer = next((a for a in question.answers if a.id == answer_id), None)
        if answer is None:
            break
        steps.append(AnsweredStep(question, answer, base_url + answers_query(kept, "question")))
        kept.append(answer_id)
        question = flow.question(answer.next) if answer.next else None
    return kept, steps, len(kept) != len(given)


def _deployment_cards(outcomes: Sequence[Outcome]) -> dict[str, list[ContactCard]]:
    kinds = {kind.value for outcome in outcomes for kind in outcome.deployment_contacts}
    by_kind: dict[str, list[ContactCard]] = {kind: [] for kind in kinds}
    if kinds:
        for contact in DeploymentContact.objects.filter(kind__in=kinds).order_by("name"):
            by_kind[contact.kind].append(deployment_card(contact))
    return by_kind


def render_consultation(
    request: HttpRequest, incident: Incident | None = None, *, status: int = 200
) -> HttpResponse:
    """Return the guided page: answered steps, the open question, outcomes and guides."""
    flow = knowledge_base().consultation
    language = active_language()
    if incident is None:
        base_url = reverse("consult")
    else:
        base_url = reverse("incidents:consult", kwargs={"incident_id": incident.pk})
    answers, steps, dropped = _valid_path(flow, request.GET.getlist(ANSWER_PARAMETER), base_url)
    walk = flow.walk(answers)
    cards = guidance_cards(language)
    deployment = _deployment_cards(walk.outcomes)
    outcomes = [
        OutcomeView(
            outcome,
            [cards[c] for c in outcome.contacts if c in cards],
            [
                DeploymentKind(kind.value, kind_label(kind.value), deployment[kind.value])
                for kind in outcome.deployment_contacts
            ],
        )
        for outcome in walk.outcomes
    ]
    guide_ids = list(dict.fromkeys(g for outcome in walk.outcomes for g in outcome.guides))
    guides = []
    for guide_id in guide_ids:
        guide = flow.guide(guide_id)
        sections = [
            (section, [cards[c] for c in section.contacts if c in cards])
            for section in guide.sections
        ]
        guides.append(GuideView(guide, sections))
    question = walk.next_question
    choices = [
        AnswerChoice(answer, base_url + answers_query([*answers, answer.id], "question"))
        for answer in (question.answers if question else [])
    ]
    can_add = False
    added: set[str] = set()
    if incident is not None:
        can_add = role_in(acting_user(request), incident) in WRITER_ROLES
        for guidance_id, deployment_id in IncidentContact.objects.filter(
            incident=incident
        ).values_list("guidance_contact", "deployment_contact_id"):
            added.add(f"guidance:{guidance_id}" if guidance_id else f"deployment:{deployment_id}")
    context = {
        "incident": incident,
        "page_url": base_url + answers_query(answers),
        "base_url": base_url,
        "answers": answers,
        "steps": steps,
        "dropped": dropped,
        "question": question,
        "choices": choices,
        "outcomes": outcomes,
        "guides": guides,
        "can_add": can_add,
        "added": added,
    }
    return render(request, "incidents/consult.html", context, status=status)


@login_required
def consult_page(request: HttpRequest) -> HttpResponse:
    """Return the guided page on its own (it shows no incident data)."""
    acting_user(request)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return render_consultation(request)


@login_required
def incident_consult_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the guided page for an incident: its contacts can be added to the incident."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return render_consultation(request, incident)
