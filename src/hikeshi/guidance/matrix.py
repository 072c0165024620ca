"""The JPCERT/CC initial-response and impact-scope matrix (75 items), as typed data."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, HttpUrl, model_validator

from hikeshi.guidance.loading import GuidanceDataError, load_model
from hikeshi.guidance.schema import GuidanceModel
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


class TypeApplicability(GuidanceModel):
    """One applicability cell per matrix incident type."""

    apt: Applicability
    banking_fraud: Applicability
    ransomware: Applicability
    insider: Applicability

    def for_type(self, matrix_type: MatrixType) -> Applicability:
        """Return the cell for one matrix type."""
        value: Applicability = getattr(self, matrix_type.value)
        return value


class Target(GuidanceModel):
    """A matrix target row group (PROXY, FireWall, DNS ...)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LocalizedText
    note: LocalizedText | None = None


class MatrixItem(GuidanceModel):
    """One numbered item of the matrix."""

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


class MatrixFile(GuidanceModel):
    """The content of one matrix data file."""

    items: list[MatrixItem] = []


class ChecklistRule(GuidanceModel):
    """A rule that governs the whole checklist (the two lines above the matrix)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: LocalizedText


class TargetsFile(GuidanceModel):
    """The content of the targets data file."""

    targets: list[Target]
    rules: list[ChecklistRule]


class Matrix(GuidanceModel):
    """The whole matrix: its targets, the checklist rules and all 75 items in order."""

    targets: list[Target]
    rules: list[ChecklistRule]
    items: list[MatrixItem]

    def target(self, code: str) -> Target:
        """Return the target with this code."""
        for target in self.targets:
            if target.code == code:
                return target
        raise KeyError(code)

    def item(self, number: int) -> MatrixItem:
        """Return the item with this number."""
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(number)

    def items_for(self, matrix_type: MatrixType) -> list[MatrixItem]:
        """Return the items that apply (required or conditional) to one matrix type."""
        return [
            item
            for item in self.items
            if item.applicability.for_type(matrix_type) is not Applicability.NONE
        ]


ITEM_COUNT = 75


def load_matrix(data_dir: Path) -> Matrix:
    """Return the matrix from ``matrix/targets.yaml`` and every ``matrix/items-*.yaml``.

    Raises GuidanceDataError when a number is missing or repeated, a target is unknown, or
    a conditional item says nothing about when it applies.
    """
    folder = data_dir / "matrix"
    targets = load_model(folder / "targets.yaml", TargetsFile)
    items: list[MatrixItem] = []
    origin: dict[int, str] = {}
    problems: list[str] = []
    codes = {t.code for t in targets.targets}
    for path in sorted(folder.glob("items-*.yaml")):
        for item in load_model(path, MatrixFile).items:
            if item.number in origin:
                problems.append(
                    f"{path.name}: entry number={item.number}: repeats the item in "
                    f"{origin[item.number]}"
                )
                continue
            origin[item.number] = path.name
            if item.target not in codes:
                problems.append(
                    f"{path.name}: entry number={item.number}, field target: unknown target "
                    f"{item.target!r} (known: {', '.join(sorted(codes))})"
                )
            cells = [getattr(item.applicability, t.value) for t in MatrixType]
            if Applicability.CONDITIONAL in cells and item.condition is None:
                problems.append(
                    f"{path.name}: entry number={item.number}, field condition: a △ item "
                    "must say when it applies"
                )
            items.append(item)
    missing = sorted(set(range(1, ITEM_COUNT + 1)) - set(origin))
    if missing:
        problems.append(f"matrix: items missing: {', '.join(map(str, missing))}")
    if problems:
        raise GuidanceDataError("\n".join(problems))
    items.sort(key=lambda i: i.number)
    return Matrix(targets=targets.targets, rules=targets.rules, items=items)
