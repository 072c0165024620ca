"""The one place that reads contacts: the organisation's own, those chosen for an incident,
and the contacts of the consultation walk. Pages, the API and the CLI read through here."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from hikeshi.directory.cards import (
    GUIDANCE,
    SHIPPED_KIND_LABELS,
    ChosenContact,
    ContactCard,
    contact_key,
    deployment_card,
    grouped_by_kind,
    guidance_cards,
    kind_label,
)
from hikeshi.directory.models import DeploymentContact, DeploymentContactKind, IncidentContact
from hikeshi.guidance.consultation import ConsultationFile, Guide, GuideSection, Outcome


def deployment_contacts(kinds: Collection[str] | None = None) -> list[DeploymentContact]:
    """Return the organisation's own contacts (only of ``kinds`` when given), by kind and name."""
    contacts = DeploymentContact.objects.order_by("kind", "name", "pk")
    if kinds is not None:
        contacts = contacts.filter(kind__in=list(kinds))
    return list(contacts)


def deployment_cards() -> list[ContactCard]:
    """Return the organisation's own contacts as cards, by kind and name."""
    return [deployment_card(contact) for contact in deployment_contacts()]


def incident_contacts(incident_id: int) -> list[IncidentContact]:
    """Return the contacts chosen for an incident, in the order they were added."""
    return list(
        IncidentContact.objects.filter(incident_id=incident_id)
        .select_related("deployment_contact", "added_by")
        .order_by("added_at", "pk")
    )


def incident_contact(incident_id: int, contact_id: int) -> IncidentContact:
    """Return one contact chosen for the incident (DoesNotExist if it is not the incident's)."""
    return IncidentContact.objects.select_related("deployment_contact", "added_by").get(
        incident_id=incident_id, pk=contact_id
    )


def chosen_keys(incident_id: int) -> set[str]:
    """Return the card keys of the contacts chosen for an incident."""
    return {
        contact_key(guidance_id, deployment_id)
        for guidance_id, deployment_id in IncidentContact.objects.filter(
            incident_id=incident_id
        ).values_list("guidance_contact", "deployment_contact_id")
    }


def chosen_contacts(incident_id: int, language: str) -> list[ChosenContact]:
    """Return the contacts chosen for an incident as cards in ``language``, with why."""
    cards = guidance_cards(language)
    chosen = []
    for entry in incident_contacts(incident_id):
        if entry.deployment_contact is not None:
            card = deployment_card(entry.deployment_contact)
        elif entry.guidance_contact in cards:
            card = cards[entry.guidance_contact]
        else:  # A contact the guidance no longer ships: keep showing that it was chosen.
            card = ContactCard(
                f"{GUIDANCE}:{entry.guidance_contact}", "", entry.guidance_contact, ""
            )
        chosen.append(ChosenContact(card, entry.reason))
    return chosen


def contact_choices(language: str) -> list[tuple[str, list[ContactCard]]]:
    """Return every contact for a select box: the organisation's own first, then by kind."""
    own = deployment_cards()
    groups = [
        (label, cards) for _kind, label, cards in grouped_by_kind(own, DeploymentContactKind.values)
    ]
    shipped = guidance_cards(language).values()
    groups += [
        (label, cards) for _kind, label, cards in grouped_by_kind(shipped, SHIPPED_KIND_LABELS)
    ]
    return groups


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


@dataclass(frozen=True)
class WalkContacts:
    """The outcomes a consultation walk reached and the guides they name, with contacts."""

    outcomes: list[OutcomeView]
    guides: list[GuideView]


def walk_contacts(
    flow: ConsultationFile, outcomes: Sequence[Outcome], language: str
) -> WalkContacts:
    """Return the outcomes reached and their guides, each with its contacts as cards."""
    cards = guidance_cards(language)
    kinds = {kind.value for outcome in outcomes for kind in outcome.deployment_contacts}
    own: dict[str, list[ContactCard]] = {kind: [] for kind in kinds}
    if kinds:
        for contact in deployment_contacts(kinds):
            own[contact.kind].append(deployment_card(contact))
    views = [
        OutcomeView(
            outcome,
            [cards[c] for c in outcome.contacts if c in cards],
            [
                DeploymentKind(kind.value, kind_label(kind.value), own[kind.value])
                for kind in outcome.deployment_contacts
            ],
        )
        for outcome in outcomes
    ]
    guides = []
    for guide_id in dict.fromkeys(g for outcome in outcomes for g in outcome.guides):
        guide = flow.guide(guide_id)
        sections = [
            (section, [cards[c] for c in section.contacts if c in cards])
            for section in guide.sections
        ]
        guides.append(GuideView(guide, sections))
    return WalkContacts(views, guides)
