"""Where to consult: a question-and-answer flow that ends in contacts and advice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import Field, model_validator

from hikeshi.datafiles.loading import DataFileError, load_file
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import TranslatedText
from hikeshi.guidance.contacts import ContactKind, SeedName, load_contacts

_ID = r"^[a-z][a-z0-9_]*$"


class _Transcribed(DataModel):
    """Shared by every entry that may carry reconstructed seed text."""

    # Set where the seed text was garbled (OCR) or placed ambiguously and had to be read
    # from context; the note says how, so a reviewer can check against the seed.
    inferred: bool = False
    note: TranslatedText | None = None

    @model_validator(mode="after")
    def _inferred_needs_note(self) -> _Transcribed:
        if self.inferred and self.note is None:
            raise ValueError("an inferred entry must explain the reading in 'note'")
        return self


class Statement(_Transcribed):
    """One sentence of advice or one step, transcribed from a seed."""

    text: TranslatedText


class Answer(_Transcribed):
    """A choice for a question: it adds outcomes, asks a further question, or both."""

    id: str = Field(pattern=_ID)
    label: TranslatedText
    # The next question; None ends the walk.
    next: str | None = None
    # Outcomes collected when this answer is chosen. Several can apply to one incident
    # (an IPA notification and a PPC report, say), so the walk accumulates them.
    outcomes: list[str] = []


class Question(_Transcribed):
    """A question shown on the guided page."""

    id: str = Field(pattern=_ID)
    text: TranslatedText
    help: TranslatedText | None = None
    answers: list[Answer] = Field(min_length=2)
    sources: list[SeedName] = []

    @model_validator(mode="after")
    def _answer_ids_unique(self) -> Question:
        ids = [answer.id for answer in self.answers]
        if len(ids) != len(set(ids)):
            raise ValueError(f"question '{self.id}': answer ids repeat")
        return self

    def answer(self, answer_id: str) -> Answer:
        """Return the answer with this id; raise KeyError if there is none."""
        for answer in self.answers:
            if answer.id == answer_id:
                return answer
        raise KeyError(f"question '{self.id}' has no answer '{answer_id}'")


class Outcome(_Transcribed):
    """Where to go: contacts (shipped or the deployment's own) with advice."""

    id: str = Field(pattern=_ID)
    title: TranslatedText
    advice: list[Statement] = Field(min_length=1)
    # Ids in contacts.yaml.
    contacts: list[str] = []
    # Kinds of contact the deployment keeps in its database (its vendor, its police station).
    deployment_contacts: list[ContactKind] = []
    # Ids of response guides (step lists) to show with the outcome.
    guides: list[str] = []
    sources: list[SeedName] = []

    @model_validator(mode="after")
    def _has_a_contact(self) -> Outcome:
        if not self.contacts and not self.deployment_contacts:
            raise ValueError(f"outcome '{self.id}': name at least one contact")
        for kind in self.deployment_contacts:
            if not kind.is_deployment:
                raise ValueError(f"outcome '{self.id}': {kind} is not a deployment kind")
        return self


class GuideSection(DataModel):
    """One heading of a response guide with its steps and contacts."""

    id: str = Field(pattern=_ID)
    title: TranslatedText
    steps: list[Statement] = []
    contacts: list[str] = []

    @model_validator(mode="after")
    def _not_empty(self) -> GuideSection:
        if not self.steps and not self.contacts:
            raise ValueError(f"section '{self.id}': give steps or contacts")
        return self


class Guide(DataModel):
    """A response guide an outcome points to (the Emotet response, permanent measures)."""

    id: str = Field(pattern=_ID)
    title: TranslatedText
    sections: list[GuideSection] = Field(min_length=1)
    sources: list[SeedName] = []


class Walk(DataModel):
    """The state after some answers: outcomes so far and the question still open."""

    outcomes: list[Outcome]
    next_question: Question | None

    @property
    def finished(self) -> bool:
        """Return True when no question is left."""
        return self.next_question is None


class ConsultationFile(DataModel):
    """The content of the consultation data file: a flow from ``start`` to outcomes."""

    start: str
    questions: list[Question] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    guides: list[Guide] = []

    @model_validator(mode="after")
    def _well_formed(self) -> ConsultationFile:
        problems = self._reference_problems()
        # Graph checks on dangling references would only repeat the same problem.
        if not problems:
            problems = self._graph_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _reference_problems(self) -> list[str]:
        problems = []
        for label, items in (
            ("question", self.questions),
            ("outcome", self.outcomes),
            ("guide", self.guides),
        ):
            ids = [item.id for item in items]
            problems += [
                f"{label} '{i}' appears twice" for i in sorted(set(ids)) if ids.count(i) > 1
            ]
        question_ids = {q.id for q in self.questions}
        outcome_ids = {o.id for o in self.outcomes}
        guide_ids = {g.id for g in self.guides}
        if self.start not in question_ids:
            problems.append(f"start question '{self.start}' does not exist")
        for question in self.questions:
            for answer in question.answers:
                where = f"question '{question.id}', answer '{answer.id}'"
                if answer.next is None and not answer.outcomes:
                    problems.append(f"{where} leads nowhere (no next question, no outcome)")
                if answer.next is not None and answer.next not in question_ids:
                    problems.append(f"{where}: unknown question '{answer.next}'")
                problems += [
                    f"{where}: unknown outcome '{o}'"
                    for o in answer.outcomes
                    if o not in outcome_ids
                ]
        for outcome in self.outcomes:
            problems += [
                f"outcome '{outcome.id}': unknown guide '{g}'"
                for g in outcome.guides
                if g not in guide_ids
            ]
        return problems

    def _graph_problems(self) -> list[str]:
        edges = {q.id: [a.next for a in q.answers if a.next is not None] for q in self.questions}
        problems = [f"questions form a cycle: {' → '.join(cycle)}" for cycle in _cycles(edges)]
        reached: set[str] = set()
        pending = [self.start]
        while pending:
            current = pending.pop()
            if current not in reached:
                reached.add(current)
                pending.extend(edges[current])
        problems += [
            f"question '{q.id}' cannot be reached from '{self.start}'"
            for q in self.questions
            if q.id not in reached
        ]
        used = {o for q in self.questions for a in q.answers for o in a.outcomes}
        problems += [
            f"outcome '{o.id}' is never reached" for o in self.outcomes if o.id not in used
        ]
        guided = {g for o in self.outcomes for g in o.guides}
        problems += [f"guide '{g.id}' is not used" for g in self.guides if g.id not in guided]
        return problems

    def question(self, question_id: str) -> Question:
        """Return the question with this id; raise KeyError if there is none."""
        return _by_id(self.questions, question_id)

    def outcome(self, outcome_id: str) -> Outcome:
        """Return the outcome with this id; raise KeyError if there is none."""
        return _by_id(self.outcomes, outcome_id)

    def guide(self, guide_id: str) -> Guide:
        """Return the guide with this id; raise KeyError if there is none."""
        return _by_id(self.guides, guide_id)

    def walk(self, answer_ids: Sequence[str]) -> Walk:
        """Return the outcomes and open question after answering from ``start`` in order."""
        question: Question | None = self.question(self.start)
        collected: list[str] = []
        for answer_id in answer_ids:
            if question is None:
                raise KeyError(f"the flow has ended; answer '{answer_id}' is one too many")
            answer = question.answer(answer_id)
            collected += [o for o in answer.outcomes if o not in collected]
            question = self.question(answer.next) if answer.next else None
        return Walk(outcomes=[self.outcome(o) for o in collected], next_question=question)

    def contact_references(self) -> Iterator[tuple[str, str]]:
        """Return (where, contact id) for every contact the flow and its guides name."""
        for outcome in self.outcomes:
            for contact_id in outcome.contacts:
                yield f"outcome '{outcome.id}'", contact_id
        for guide in self.guides:
            for section in guide.sections:
                for contact_id in section.contacts:
                    yield f"guide '{guide.id}', section '{section.id}'", contact_id


_Item = TypeVar("_Item", Question, Outcome, Guide)


def _by_id(items: list[_Item], item_id: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Return one path per cycle found by depth-first search, e.g. [a, b, a]."""
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in edges.get(node, []):
            visit(target, [*path, node])
        done.add(node)

    for node in edges:
        visit(node, [])
    return cycles


def load_consultation(data_dir: Path) -> ConsultationFile:
    """Return the validated flow of ``consultation.yaml``, its contacts checked too."""
    flow = load_file(data_dir / "consultation.yaml", ConsultationFile)
    # The flow names contacts by id; a missing one would leave a user with nowhere to go.
    known = {contact.id for contact in load_contacts(data_dir).contacts}
    problems = [
        f"consultation.yaml: {where}: unknown contact '{contact_id}'"
        for where, contact_id in flow.contact_references()
        if contact_id not in known
    ]
    if problems:
        raise DataFileError(*problems)
    return flow
