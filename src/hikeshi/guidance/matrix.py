"""The JPCERT/CC initial-response and impact-scope matrix (75 items), as typed data."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from hikeshi.guidance.text import LocalizedText


class Phase(StrEnum):
    """The matrix phase column: 初動 / 影響範囲 / 被害防止."""

    INITIAL = "initial"
    SCOPE = "scope"
    PREVENTION = "prevention"


class Applicability(StrEnum):
    """A matrix cell: ○ → required, △ → conditional, blank → none."""

    REQUIRED = "required"
    CONDITIONAL = "conditional"
    NONE = "none"


class MatrixType(StrEnum):
    """The four incident types that are the matrix's columns."""

    APT = "apt"
    BANKING_FRAUD = "banking_fraud"
    RANSOMWARE = "ransomware"
    INSIDER = "insider"


class TypeApplicability(BaseModel):
    """One applicability cell per matrix incident type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    apt: Applicability
    banking_fraud: Applicability
    ransomware: Applicability
    insider: Applicability

    def for_type(self, matrix_type: MatrixType) -> Applicability:
        """Return the cell for one matrix type."""
        value: Applicability = getattr(self, matrix_type.value)
        return value


class Target(BaseModel):
    """A matrix target row group (PROXY, FireWall, DNS ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LocalizedText
    note: LocalizedText | None = None


class MatrixItem(BaseModel):
    """One numbered item of the matrix."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1, le=75)
    target: str
    phase: Phase
    applicability: TypeApplicability
    title: LocalizedText
    steps: list[LocalizedText]
    references: list[HttpUrl] = []
    # Set where the seed's cell was empty or shifted and the value was read from context.
    inferred: bool = False
    note: LocalizedText | None = None
    # For conditional (△) cells: when the item applies.
    condition: LocalizedText | None = None
    # Ids of the log-analysis checks that answer this item (filled as checks are built).
    log_checks: list[str] = []

    @model_validator(mode="after")
    def _inferred_needs_note(self) -> MatrixItem:
        if self.inferred and self.note is None:
            raise ValueError("an inferred entry must explain the interpretation in 'note'")
        return self


class MatrixFile(BaseModel):
    """The content of one matrix data file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[MatrixItem] = []


class ChecklistRule(BaseModel):
    """A rule that governs the whole checklist (the two lines above the matrix)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: LocalizedText


class TargetsFile(BaseModel):
    """The content of the targets data file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: list[Target]
    rules: list[ChecklistRule]
