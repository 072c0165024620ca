"""The incident-type vocabulary of hikeshi and what guidance each type draws on."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import model_validator

from hikeshi.datafiles.loading import load_file
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import TranslatedText
from hikeshi.guidance.matrix import MatrixType


class IncidentTypeCode(StrEnum):
    """The incident types a responder picks from, in display order."""

    APT = "apt"
    BANKING_FRAUD = "banking_fraud"
    RANSOMWARE = "ransomware"
    INSIDER = "insider"
    INFORMATION_LEAK = "information_leak"
    VIRUS_INFECTION = "virus_infection"
    SYSTEM_OUTAGE = "system_outage"
    SPOOFED_EMAIL = "spoofed_email"
    WEB_TAMPERING = "web_tampering"
    ACCOUNT_TAKEOVER = "account_takeover"


class SmeProcedureId(StrEnum):
    """Ids of the categories of the SME incident handbook (procedures.yaml)."""

    VIRUS_INFECTION = "virus_infection"
    RANSOMWARE = "ransomware"
    INFORMATION_LEAK = "information_leak"
    INFORMATION_LEAK_UNAUTHORIZED_ACCESS = "information_leak.unauthorized_access"
    INFORMATION_LEAK_INSIDER = "information_leak.insider"
    INFORMATION_LEAK_MISDELIVERY = "information_leak.misdelivery"
    INFORMATION_LEAK_LOSS = "information_leak.loss"
    SYSTEM_OUTAGE = "system_outage"


class FlowCase(StrEnum):
    """The case notes (◇) of the JPCERT/CC response flow."""

    TARGETED_MAIL = "targeted_mail"
    RANSOMWARE = "ransomware"


class FirstResponseCase(StrEnum):
    """The per-case first responses of the incident Q&A (seed 001)."""

    MALWARE_SUSPECTED = "malware_suspected"
    SPOOFED_MAIL = "spoofed_mail"
    WEB_TAMPERING = "web_tampering"
    ACCOUNT_MISUSE = "account_misuse"


class IncidentType(DataModel):
    """One incident type and the guidance it is linked to."""

    code: IncidentTypeCode
    name: TranslatedText
    description: TranslatedText
    # Matrix columns whose items apply; empty when the matrix has no fitting column.
    matrix_types: list[MatrixType] = []
    # Why these columns (and not the others), grounded in the matrix items.
    rationale: TranslatedText
    sme_procedures: list[SmeProcedureId] = []
    flow_cases: list[FlowCase] = []
    first_response_cases: list[FirstResponseCase] = []

    @model_validator(mode="after")
    def _no_repeats(self) -> IncidentType:
        for field, values in (
            ("matrix_types", self.matrix_types),
            ("sme_procedures", self.sme_procedures),
            ("flow_cases", self.flow_cases),
            ("first_response_cases", self.first_response_cases),
        ):
            if len(values) != len(set(values)):
                raise ValueError(f"incident type '{self.code}': {field} repeats a value")
        return self


class IncidentTypesFile(DataModel):
    """The content of the incident-types data file: every code once, in order."""

    incident_types: list[IncidentType]

    @model_validator(mode="after")
    def _every_code_once_in_order(self) -> IncidentTypesFile:
        codes = [entry.code for entry in self.incident_types]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"incident type codes appear twice: {', '.join(repeated)}")
        # The order is the order of the picker in the application, so it is fixed here.
        if codes != list(IncidentTypeCode):
            missing = [code.value for code in IncidentTypeCode if code not in codes]
            detail = f"missing {', '.join(missing)}" if missing else "out of order"
            raise ValueError(f"incident types must list every code in order: {detail}")
        return self

    def get(self, code: IncidentTypeCode | str) -> IncidentType:
        """Return the incident type with this code; raise KeyError if there is none."""
        for entry in self.incident_types:
            if entry.code == code:
                return entry
        raise KeyError(code)

    def for_matrix_type(self, matrix_type: MatrixType) -> list[IncidentType]:
        """Return the incident types that draw on one matrix column."""
        return [entry for entry in self.incident_types if matrix_type in entry.matrix_types]


def load_incident_types(data_dir: Path) -> IncidentTypesFile:
    """Return the validated incident types of ``data_dir/incident_types.yaml``."""
    return load_file(data_dir / "incident_types.yaml", IncidentTypesFile)
