"""Contacts as the pages show them: the guidance's public bodies and the deployment's own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hikeshi.directory.models import DeploymentContact, DeploymentContactKind
from hikeshi.guidance.contacts import Contact, ContactKind
from hikeshi.guidance.knowledge import knowledge_base

GUIDANCE = "guidance"
DEPLOYMENT = "deployment"

# The kinds of the contacts hikeshi ships, in the order the contacts page shows them.
SHIPPED_KIND_LABELS: dict[str, Promise] = {
    ContactKind.COORDINATION_CENTER: _("Coordination centre"),
    ContactKind.PUBLIC_BODY: _("Public bodies"),
    ContactKind.POLICE: _("Police"),
    ContactKind.REGULATOR: _("Regulators and ministries"),
    ContactKind.CERTIFICATION_BODY: _("Certification bodies"),
    ContactKind.INDUSTRY_ASSOCIATION: _("Industry associations and councils"),
    ContactKind.VENDOR_LIST: _("Lists of response vendors"),
    ContactKind.REFERENCE: _("Reference pages"),
}


def kind_label(kind: str) -> str:
    """Return the translated name of a contact kind (shipped or the deployment's)."""
    if kind in SHIPPED_KIND_LABELS:
        return str(SHIPPED_KIND_LABELS[kind])
    if kind in DeploymentContactKind.values:
        return str(DeploymentContactKind(kind).label)
    return kind


@dataclass(frozen=True)
class PhoneLine:
    """A telephone number with its label; ``note`` explains an inferred reading."""

    number: str
    label: str = ""
    inferred: bool = False
    note: str = ""


@dataclass(frozen=True)
class UrlNote:
    """An address a seed prints wrongly and the one shown instead."""

    seen: str
    corrected: str
    reason: str


@dataclass(frozen=True)
class ContactCard:
    """One contact, in the reader's language, ready to show."""

    key: str  # "guidance:<id>" or "deployment:<pk>"
    kind: str
    organisation: str
    name: str
    purpose: str = ""
    when_to_use: str = ""
    urls: tuple[str, ...] = ()
    phones: tuple[PhoneLine, ...] = ()
    mail: tuple[str, ...] = ()
    note: str = ""
    inferred: bool = False
    url_notes: tuple[UrlNote, ...] = ()
    haystack: str = field(default="", repr=False)

    @property
    def kind_label(self) -> str:
        """Return the translated kind."""
        return kind_label(self.kind)

    @property
    def has_readings(self) -> bool:
        """Return whether any part was read from garbled or wrong source text."""
        return self.inferred or bool(self.url_notes) or any(p.inferred for p in self.phones)

    @property
    def is_deployment(self) -> bool:
        """Return whether the organisation entered this contact itself."""
        return self.key.startswith(DEPLOYMENT + ":")

    def matches(self, words: Iterable[str]) -> bool:
        """Return whether every search word occurs in the contact (either language)."""
        return all(word in self.haystack for word in words)


def search_words(query: str) -> list[str]:
    """Return the lower-cased words of a search box (full-width spaces separate too)."""
    return query.replace("\u3000", " ").lower().split()


def guidance_card(contact: Contact, language: str) -> ContactCard:
    """Return a shipped contact as a card."""
    texts = [contact.organisation, contact.name, contact.purpose, contact.when_to_use]
    if contact.note is not None:
        texts.append(contact.note)
    haystack = [text.ja for text in texts] + [text.en for text in texts]
    haystack += [str(url) for url in contact.urls] + [p.number for p in contact.phones]
    haystack += [*contact.mail, contact.id, kind_label(contact.kind)]
    return ContactCard(
        key=f"{GUIDANCE}:{contact.id}",
        kind=contact.kind.value,
        organisation=contact.organisation.for_language(language),
        name=contact.name.for_language(language),
        purpose=contact.purpose.for_language(language),
        when_to_use=contact.when_to_use.for_language(language),
        urls=tuple(str(url) for url in contact.urls),
        phones=tuple(
            PhoneLine(
                phone.number,
                phone.label.for_language(language) if phone.label else "",
                phone.inferred,
                phone.note.for_language(language) if phone.note else "",
            )
            for phone in contact.phones
        ),
        mail=tuple(contact.mail),
        note=contact.note.for_language(language) if contact.note else "",
        inferred=contact.inferred,
        url_notes=tuple(
            UrlNote(c.seen, str(c.corrected), c.reason.for_language(language))
            for c in contact.url_corrections
        ),
        haystack="\n".join(haystack).lower(),
    )


def deployment_card(contact: DeploymentContact) -> ContactCard:
    """Return one of the organisation's own contacts as a card."""
    fields = [contact.name, contact.organisation, contact.note, contact.phone, contact.email]
    fields += [contact.url, kind_label(contact.kind)]
    return ContactCard(
        key=f"{DEPLOYMENT}:{contact.pk}",
        kind=contact.kind,
        organisation=contact.organisation,
        name=contact.name,
        when_to_use=contact.note,
        urls=(contact.url,) if contact.url else (),
        phones=(PhoneLine(contact.phone),) if contact.phone else (),
        mail=(contact.email,) if contact.email else (),
        haystack="\n".join(fields).lower(),
    )


@cache
def guidance_cards(language: str) -> dict[str, ContactCard]:
    """Return every shipped contact as a card, by contact id (built once per language)."""
    return {c.id: guidance_card(c, language) for c in knowledge_base().contacts.contacts}


def grouped_by_kind(
    cards: Iterable[ContactCard], kinds: Iterable[str]
) -> list[tuple[str, str, list[ContactCard]]]:
    """Return (kind, label, cards) for each kind that has cards, in the order of ``kinds``."""
    by_kind: dict[str, list[ContactCard]] = {}
    for card in cards:
        by_kind.setdefault(card.kind, []).append(card)
    return [(kind, kind_label(kind), by_kind[kind]) for kind in kinds if kind in by_kind]


@dataclass(frozen=True)
class ChosenContact:
    """A contact chosen for an incident, with why."""

    card: ContactCard
    reason: str


def contact_key(guidance_contact: str, deployment_contact_id: int | None) -> str:
    """Return the key of a chosen contact, as its card carries it."""
    if guidance_contact:
        return f"{GUIDANCE}:{guidance_contact}"
    return f"{DEPLOYMENT}:{deployment_contact_id}"
