"""The 75-item matrix as data: complete, bilingual, well-formed, and strict about errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hikeshi.datafiles.loading import DataFileError
from hikeshi.guidance.matrix import Applicability, Matrix, MatrixType, Phase, load_matrix

DATA = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix(DATA)


def test_every_number_from_1_to_75_is_present_exactly_once(matrix: Matrix) -> None:
    assert [item.number for item in matrix.items] == list(range(1, 76))


def test_every_text_has_japanese_and_english(matrix: Matrix) -> None:
    for item in matrix.items:
        texts = [item.title, *item.steps]
        texts += [t for t in (item.note, item.condition) if t is not None]
        for text in texts:
            assert text.ja.strip() and text.en.strip(), item.number
            assert text.ja != text.en, f"item {item.number}: English is not a translation"
    for target in matrix.targets:
        assert target.name.ja and target.name.en


def test_references_are_well_formed_urls_without_the_typo_domain(matrix: Matrix) -> None:
    refs = [str(url) for item in matrix.items for url in item.references]
    assert refs, "the matrix cites documents"
    for url in refs:
        assert url.startswith(("http://", "https://"))
        assert "jpccert" not in url


def test_the_two_top_rules_are_checklist_rules_not_items(matrix: Matrix) -> None:
    rules = {rule.id: rule.text.ja for rule in matrix.rules}
    assert "実施日時、範囲、設定内容の記録" in rules["record_every_action"]
    assert "時系列に状況を整理" in rules["organise_chronologically"]


def test_known_cells_are_transcribed(matrix: Matrix) -> None:
    c2_block = matrix.item(4)
    assert c2_block.target == "proxy" and c2_block.phase is Phase.INITIAL
    assert c2_block.applicability.ransomware is Applicability.CONDITIONAL
    assert c2_block.applicability.insider is Applicability.NONE
    assert c2_block.condition is not None
    krbtgt = matrix.item(41)
    assert krbtgt.target == "active_directory"
    assert "KRBTGT" in krbtgt.title.ja
    assert matrix.item(50).applicability.ransomware is Applicability.REQUIRED
    assert matrix.item(75).target == "information_sharing"
    assert len(matrix.item(36).steps) == 5


def test_inferred_entries_explain_themselves(matrix: Matrix) -> None:
    inferred = [item for item in matrix.items if item.inferred]
    assert inferred, "the seed has empty title cells that had to be filled"
    assert all(item.note is not None for item in inferred)
    assert matrix.item(8).inferred  # beaconing has no title in the seed


def test_ransomware_column_includes_the_ransomware_items(matrix: Matrix) -> None:
    numbers = {item.number for item in matrix.items_for(MatrixType.RANSOMWARE)}
    assert {28, 50, 51} <= numbers
    assert 49 not in numbers  # online-banking passwords are a banking-fraud item


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_a_missing_english_text_is_rejected_naming_file_entry_and_field(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "matrix" / "items-01-37.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("en: Secure the current logs", "en: ''", 1), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_matrix(data)
    message = str(caught.value)
    assert "items-01-37.yaml" in message
    assert "number=1" in message
    assert "title.en" in message


def test_a_repeated_number_is_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "matrix" / "items-38-75.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("number: 38", "number: 37", 1), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"number=37: repeats .*\n?.*items missing: 38"):
        load_matrix(data)


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / "matrix" / "items-01-37.yaml").write_text("items:\n  - number: [1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"items-01-37.yaml: line \d+"):
        load_matrix(data)
