"""The JPCERT/CC initial-response and impact-scope matrix (75 items), as typed data."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, HttpUrl, model_validator

from hikeshi.datafiles.loading import DataFileError, load_file, load_folder
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import TranslatedText


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


class TypeApplicability(DataModel):
    """One applicability cell per matrix incident type."""

    apt: Applicability
    banking_fraud: Applicability
    ransomware: Applicability
    insider: Applicability

    def for_type(self, matrix_type: MatrixType) -> Applicability:
        """Return the cell for one matrix type."""
        value: Applicability = getattr(self, matrix_type.value)
        return value


class Target(DataModel):
    """A matrix target row group (PROXY, FireWall, DNS ...)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: TranslatedText
    note: TranslatedText | None = None


class MatrixItem(DataModel):
    """One numbered item of the matrix."""

    number: int = Field(ge=1, le=75)
    target: str
    phase: Phase
    applicability: TypeApplicability
    title: TranslatedText
    steps: list[TranslatedText]
    references: list[HttpUrl] = []
    # Set where the seed's cell was empty or shifted and the value was read from context.
    inferred: bool = False
    note: TranslatedText | None = None
    # For conditional (△) cells: when the item applies.
    condition: TranslatedText | None = None
    # Ids of the log-analysis checks that answer this item (filled as checks are built).
    log_checks: list[str] = []

    @model_validator(mode="after")
    def _inferred_needs_note(self) -> MatrixItem:
        if self.inferred and self.note is None:
            raise ValueError("an inferred entry must explain the interpretation in 'note'")
        return self


class MatrixFile(DataModel):
    """The content of one matrix data file."""

    items: list[MatrixItem] = []


class ChecklistRule(DataModel):
    """A rule that governs the whole checklist (the two lines above the matrix)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: TranslatedText


class TargetsFile(DataModel):
    """The content of the targets data file."""

    targets: list[Target]
    rules: list[ChecklistRule]


class Matrix(DataModel):
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

    Raises DataFileError when a number is missing or repeated, a target is unknown, or
    a conditional item says nothing about when it applies.
    """
    folder = data_dir / "matrix"
    targets = load_file(folder / "targets.yaml", TargetsFile)
    items: list[MatrixItem] = []
    origin: dict[int, str] = {}
    problems: list[str] = []
    codes = {t.code for t in targets.targets}
    # Every items file is read before any error is raised, so each broken one is named.
    for path, items_file in load_folder(folder, MatrixFile, pattern="items-*.yaml").items():
        for item in items_file.items:
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
        raise DataFileError(*problems)
    items.sort(key=lambda i: i.number)
    return Matrix(targets=targets.targets, rules=targets.rules, items=items)
