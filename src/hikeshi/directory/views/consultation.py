"""Where to consult (相談先): the guidance's question flow, one question at a time.

The answers so far travel in the query string (``?a=…&a=…``), so every step is a plain
link that can be bookmarked, shared or opened again; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from hikeshi.directory.selectors import chosen_keys, walk_contacts
from hikeshi.guidance.consultation import Answer, ConsultationFile, Question
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import WRITER_ROLES, incident_for, role_in
from hikeshi.incidents.models import Incident
from hikeshi.incidents.templatetags.guidance_text import active_language
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


def render_consultation(
    request: HttpRequest, incident: Incident | None = None, *, status: int = 200
) -> HttpResponse:
    """Return the guided page: answered steps, the open question, outcomes and guides."""
    flow = knowledge_base().consultation
    if incident is None:
        base_url = reverse("directory:consult")
    else:
        base_url = reverse("directory:incident_consult", kwargs={"incident_id": incident.pk})
    answers, steps, dropped = _valid_path(flow, request.GET.getlist(ANSWER_PARAMETER), base_url)
    walk = flow.walk(answers)
    reached = walk_contacts(flow, walk.outcomes, active_language())
    question = walk.next_question
    choices = [
        AnswerChoice(answer, base_url + answers_query([*answers, answer.id], "question"))
        for answer in (question.answers if question else [])
    ]
    can_add = False
    added: set[str] = set()
    if incident is not None:
        can_add = role_in(acting_user(request), incident) in WRITER_ROLES
        added = chosen_keys(incident.pk)
    context = {
        "incident": incident,
        "page_url": base_url + answers_query(answers),
        "base_url": base_url,
        "answers": answers,
        "steps": steps,
        "dropped": dropped,
        "question": question,
        "choices": choices,
        "outcomes": reached.outcomes,
        "guides": reached.guides,
        "can_add": can_add,
        "added": added,
    }
    return render(request, "directory/consult.html", context, status=status)


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
