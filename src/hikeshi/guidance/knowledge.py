"""The whole knowledge base: every guidance file loaded, validated and cross-checked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hikeshi.datafiles.loading import DataFileError
from hikeshi.guidance.cases import CasesFile, load_cases
from hikeshi.guidance.consultation import ConsultationFile, load_consultation
from hikeshi.guidance.contacts import ContactsFile, load_contacts
from hikeshi.guidance.flow import FlowFile, load_flow
from hikeshi.guidance.incident_types import IncidentType, IncidentTypesFile, load_incident_types
from hikeshi.guidance.matrix import Matrix, load_matrix
from hikeshi.guidance.procedures import CategoryId, ProceduresFile, load_procedures

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class KnowledgeBase:
    """All five seeds as data: matrix, SME procedures, flow, cases, consultation, contacts."""

    matrix: Matrix
    procedures: ProceduresFile
    flow: FlowFile
    cases: CasesFile
    consultation: ConsultationFile
    contacts: ContactsFile
    incident_types: IncidentTypesFile

    def incident_type(self, code: str) -> IncidentType:
        """Return the incident type with this code; raise KeyError if unknown."""
        for incident_type in self.incident_types.incident_types:
            if incident_type.code == code:
                return incident_type
        raise KeyError(code)


def load_knowledge_base(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Return the knowledge base read from ``data_dir``; raise DataFileError if broken."""
    kb = KnowledgeBase(
        matrix=load_matrix(data_dir),
        procedures=load_procedures(data_dir),
        flow=load_flow(data_dir),
        cases=load_cases(data_dir),
        consultation=load_consultation(data_dir),
        contacts=load_contacts(data_dir),
        incident_types=load_incident_types(data_dir),
    )
    _cross_check(kb)
    return kb


@cache
def knowledge_base() -> KnowledgeBase:
    """Return the packaged knowledge base, loaded once per process."""
    return load_knowledge_base()


def _cross_check(kb: KnowledgeBase) -> None:
    """Raise DataFileError where one file names an entry another file lacks."""
    problems: list[str] = []
    categories = {c.value for c in CategoryId}
    case_ids = {case.id for case in kb.cases.first_response.cases}
    contact_ids = {contact.id for contact in kb.contacts.contacts}
    for incident_type in kb.incident_types.incident_types:
        for procedure in incident_type.sme_procedures:
            if procedure.value.split(".")[0] not in categories:
                problems.append(
                    f"incident_types.yaml: entry code={incident_type.code}, field "
                    f"sme_procedures: unknown category {procedure.value!r}"
                )
        for case in incident_type.first_response_cases:
            if f"cases.{case.value}" not in case_ids:
                problems.append(
                    f"incident_types.yaml: entry code={incident_type.code}, field "
                    f"first_response_cases: no case 'cases.{case.value}' in cases.yaml"
                )
    for outcome in kb.consultation.outcomes:
        for contact in outcome.contacts:
            if contact not in contact_ids:
                problems.append(
                    f"consultation.yaml: entry id={outcome.id}, field contacts: unknown "
                    f"contact {contact!r} (not in contacts.yaml)"
                )
    if problems:
        raise DataFileError(*problems)
