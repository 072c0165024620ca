"""Organisations, desks and reference pages named in the guidance, as typed data."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, field_validator, model_validator

from hikeshi.datafiles.loading import load_file
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import TranslatedText

# The name of a seed document the content was taken from (provenance, not a path).
SeedName = Annotated[str, Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")]

# Look-alike domains that appear in the seeds by mistake. Nobody guarantees who holds them,
# so a link to one could lead a responder in the middle of an incident to an attacker.
TYPO_HOSTS = frozenset({"jpccert.or.jp", "www.jpccert.or.jp"})


class ContactKind(StrEnum):
    """What sort of organisation or page a contact is."""

    PUBLIC_BODY = "public_body"
    POLICE = "police"
    REGULATOR = "regulator"
    COORDINATION_CENTER = "coordination_center"
    INDUSTRY_ASSOCIATION = "industry_association"
    # Bodies that grant a certification (Privacy Mark, ISMS) and require accident reports.
    CERTIFICATION_BODY = "certification_body"
    VENDOR_LIST = "vendor_list"
    REFERENCE = "reference"
    # The kinds below are entered by each deployment in the database, never shipped.
    INTERNAL_STAFF = "internal_staff"
    SYSTEM_VENDOR = "system_vendor"
    INSURER = "insurer"
    LAWYER = "lawyer"
    LOCAL_POLICE = "local_police"

    @property
    def is_deployment(self) -> bool:
        """Return True for kinds that only a deployment can fill in."""
        return self in DEPLOYMENT_KINDS


DEPLOYMENT_KINDS = frozenset(
    {
        ContactKind.INTERNAL_STAFF,
        ContactKind.SYSTEM_VENDOR,
        ContactKind.INSURER,
        ContactKind.LAWYER,
        ContactKind.LOCAL_POLICE,
    }
)


class Phone(DataModel):
    """A telephone number as printed in a seed, with how sure the reading is."""

    number: str = Field(pattern=r"^\+?[0-9][0-9-]{2,}[0-9]$")
    label: TranslatedText | None = None
    # Set where OCR noise (e.g. a phone icon read as a digit) had to be removed.
    inferred: bool = False
    note: TranslatedText | None = None

    @model_validator(mode="after")
    def _inferred_needs_note(self) -> Phone:
        if self.inferred and self.note is None:
            raise ValueError(f"phone {self.number}: an inferred reading needs a 'note'")
        return self


class UrlCorrection(DataModel):
    """A URL that a seed prints wrongly, and the address used instead."""

    # Kept as plain text: the point is to show exactly what the seed printed.
    seen: str = Field(min_length=1)
    corrected: HttpUrl
    reason: TranslatedText


class Contact(DataModel):
    """One organisation's desk or page: what it is for, when to use it, how to reach it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: ContactKind
    organisation: TranslatedText
    name: TranslatedText
    purpose: TranslatedText
    when_to_use: TranslatedText
    # The current address first; older addresses named in older seeds follow.
    urls: list[HttpUrl] = []
    phones: list[Phone] = []
    mail: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]] = []
    # Deployment contacts come from the database and have no seed.
    sources: list[SeedName] = []
    url_corrections: list[UrlCorrection] = []
    inferred: bool = False
    note: TranslatedText | None = None

    @field_validator("urls", mode="before")
    @classmethod
    def _no_typo_or_mixed_case_host(cls, value: Any) -> Any:
        # HttpUrl lower-cases host names silently, so the raw text is checked first.
        for raw in value if isinstance(value, list) else []:
            host = urlsplit(str(raw)).hostname or ""
            if host in TYPO_HOSTS:
                raise ValueError(f"{raw}: '{host}' is a look-alike domain, not the real one")
            if any(char.isupper() for char in urlsplit(str(raw)).netloc):
                raise ValueError(f"{raw}: write the host name in lower case")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Contact:
        if self.inferred and self.note is None:
            raise ValueError("an inferred entry must explain the interpretation in 'note'")
        for correction in self.url_corrections:
            if correction.corrected not in self.urls:
                raise ValueError(f"corrected URL {correction.corrected} is not in 'urls'")
        return self


class ContactsFile(DataModel):
    """The content of the contacts data file: the contacts shipped with hikeshi."""

    contacts: list[Contact]

    @model_validator(mode="after")
    def _shipped_contacts_are_sourced(self) -> ContactsFile:
        seen: set[str] = set()
        for contact in self.contacts:
            if contact.id in seen:
                raise ValueError(f"contact '{contact.id}' appears twice")
            seen.add(contact.id)
            if contact.kind.is_deployment:
                raise ValueError(
                    f"contact '{contact.id}': kind {contact.kind} is entered per deployment"
                )
            if not contact.sources:
                raise ValueError(f"contact '{contact.id}': name the seed files in 'sources'")
        return self

    def get(self, contact_id: str) -> Contact:
        """Return the contact with this id; raise KeyError if there is none."""
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact
        raise KeyError(contact_id)


def load_contacts(data_dir: Path) -> ContactsFile:
    """Return the validated contacts of ``data_dir/contacts.yaml``."""
    return load_file(data_dir / "contacts.yaml", ContactsFile)
