"""Loading data files: every problem names the file, the line, the entry and the field."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from pydantic import Field, ValidationError

from hikeshi.datafiles.loading import DataFileError, load_file, load_folder, load_text, read_yaml
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import LocalizedText


class Check(DataModel):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: LocalizedText
    weight: int = 1


class Catalogue(DataModel):
    checks: list[Check]


GOOD = """\
checks:
  - id: first
    title: {ja: 最初, en: First}
  - id: second
    title:
      ja: 二番目
    weight: 3
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> tuple[str, ...]:
    with pytest.raises(DataFileError) as caught:
        load_file(path, Catalogue)
    return caught.value.problems


def test_a_good_file_loads_into_a_frozen_model(tmp_path: Path) -> None:
    catalogue = load_file(_write(tmp_path, "checks.yaml", GOOD), Catalogue)
    assert [check.id for check in catalogue.checks] == ["first", "second"]
    assert catalogue.checks[1].weight == 3
    assert catalogue.checks[1].title.en is None
    with pytest.raises(ValidationError, match="frozen"):
        catalogue.checks[0].weight = 2  # type: ignore[misc]


def test_an_unknown_field_is_named_with_its_entry_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("    weight: 3", "    wieght: 3")
    problems = _problems(_write(tmp_path, "checks.yaml", text))
    assert problems == (
        "checks.yaml: entry id=second, field wieght: unknown field: check its spelling, or "
        "remove it (line 7)",
    )


def test_a_wrong_type_is_named_with_its_entry_field_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("weight: 3", "weight: heavy")
    [problem] = _problems(_write(tmp_path, "checks.yaml", text))
    assert problem.startswith("checks.yaml: entry id=second, field weight: Input should be")
    assert problem.endswith("(line 7)")


def test_a_missing_field_points_at_its_entry(tmp_path: Path) -> None:
    text = GOOD.replace("      ja: 二番目\n", "      en: Second\n")
    assert _problems(_write(tmp_path, "checks.yaml", text)) == (
        "checks.yaml: entry id=second, field title.ja: required field is missing (line 5)",
    )


def test_an_entry_without_a_naming_key_is_named_by_its_position(tmp_path: Path) -> None:
    text = GOOD.replace("id: first", "ident: first")
    problems = _problems(_write(tmp_path, "checks.yaml", text))
    assert "checks.yaml: field checks[0].id: required field is missing (line 2)" in problems
    assert "checks.yaml: field checks[0].ident: unknown field" in "\n".join(problems)


def test_every_problem_of_a_file_is_listed(tmp_path: Path) -> None:
    text = GOOD.replace("id: first", "id: First").replace("weight: 3", "weight: many")
    problems = _problems(_write(tmp_path, "checks.yaml", text))
    assert [p.split(":")[1].strip() for p in problems] == [
        "entry id=First, field id",
        "entry id=second, field weight",
    ]


def test_a_validator_message_is_shown_without_pydantic_wrapping(tmp_path: Path) -> None:
    text = GOOD.replace("ja: 二番目", "ja: '   '")
    [problem] = _problems(_write(tmp_path, "checks.yaml", text))
    assert problem == "checks.yaml: entry id=second, field title.ja: must not be blank (line 6)"


def test_the_entry_keys_can_be_chosen(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.yaml", GOOD.replace("weight: 3", "weight: x"))
    with pytest.raises(DataFileError) as caught:
        load_file(path, Catalogue, entry_keys=("weight",))
    assert "checks.yaml: entry weight=x, field weight:" in str(caught.value)


def test_broken_yaml_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.yaml", "checks:\n  - id: [first\n    title: x\n")
    [problem] = _problems(path)
    assert problem.startswith("checks.yaml: line 3, column ")
    assert "invalid YAML: " in problem


def test_a_tab_indent_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.yaml", "checks:\n\t- id: first\n")
    [problem] = _problems(path)
    assert problem.startswith("checks.yaml: line 2, column 1: invalid YAML: ")


def test_an_impossible_date_is_a_yaml_error_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.yaml", "checks:\n  - id: first\n    since: 2025-02-30\n")
    assert _problems(path) == (
        "checks.yaml: line 3, column 12: invalid YAML: cannot read '2025-02-30' as timestamp: "
        "day is out of range for month",
    )


def test_a_repeated_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    text = GOOD.replace("    weight: 3", "    weight: 3\n    weight: 4")
    assert _problems(_write(tmp_path, "checks.yaml", text)) == (
        "checks.yaml: line 8, column 5: invalid YAML: key 'weight' appears twice in one "
        "mapping (first on line 7); keep one",
    )


def test_a_merged_key_may_be_overridden(tmp_path: Path) -> None:
    text = (
        "checks:\n"
        "  - &base {id: first, title: {ja: 最初}, weight: 2}\n"
        "  - <<: *base\n"
        "    id: second\n"
    )
    catalogue = load_file(_write(tmp_path, "checks.yaml", text), Catalogue)
    assert [(c.id, c.weight) for c in catalogue.checks] == [("first", 2), ("second", 2)]


def test_a_control_character_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "checks.yaml", "checks:\n  - id: fi\x07rst\n")
    [problem] = _problems(path)
    assert problem.startswith("checks.yaml: line 2, column 11: invalid YAML: character U+0007")


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "checks.yaml"
    path.write_bytes(GOOD.encode("utf-8").replace("二番目".encode(), "二番目".encode("cp932")))
    assert _problems(path) == (
        "checks.yaml: line 6: not UTF-8 (byte 0x93); save the file as UTF-8",
    )


def test_a_missing_file_is_named_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert _problems(path) == (f"{path}: data file not found",)


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    assert _problems(_write(tmp_path, "checks.yaml", "# nothing yet\n")) == (
        "checks.yaml: the file is empty",
    )
    assert read_yaml(tmp_path / "checks.yaml") is None


def test_a_document_of_the_wrong_shape_is_named_as_the_document(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path, "checks.yaml", "- just\n- a list\n"))
    assert problem.startswith("checks.yaml: field (document): Input should be a valid dict")


def test_several_documents_in_one_file_are_refused(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path, "checks.yaml", f"{GOOD}---\n{GOOD}"))
    assert problem.startswith("checks.yaml: line 8, column 1: invalid YAML: ")


def test_text_and_bytes_load_like_a_file() -> None:
    assert load_text(GOOD, Catalogue, name="a.yaml") == load_text(
        GOOD.encode("utf-8"), Catalogue, name="a.yaml"
    )
    with pytest.raises(DataFileError, match=r"^upload\.yaml: line \d+, column \d+: invalid YAML"):
        load_text("checks: [", Catalogue, name="upload.yaml")


def test_a_folder_loads_every_matching_file_in_name_order(tmp_path: Path) -> None:
    _write(tmp_path, "b.yaml", GOOD)
    _write(tmp_path, "a.yaml", GOOD.replace("second", "third"))
    _write(tmp_path, "notes.txt", "not data")
    _write(tmp_path, ".#a.yaml", "an editor's lock file")
    loaded = load_folder(tmp_path, Catalogue)
    assert [path.name for path in loaded] == ["a.yaml", "b.yaml"]
    assert loaded[tmp_path / "a.yaml"].checks[1].id == "third"


def test_a_folder_with_one_broken_file_names_that_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    _write(tmp_path, "b.yaml", GOOD.replace("weight: 3", "weight: [3"))
    _write(tmp_path, "c.yaml", GOOD)
    with pytest.raises(DataFileError) as caught:
        load_folder(tmp_path, Catalogue)
    [problem] = caught.value.problems
    assert problem.startswith("b.yaml: line ")


def test_a_folder_lists_the_problems_of_every_broken_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD.replace("id: first", "id: First"))
    _write(tmp_path, "b.yaml", GOOD)
    _write(tmp_path, "c.yaml", "checks: {")
    with pytest.raises(DataFileError) as caught:
        load_folder(tmp_path, Catalogue)
    assert [problem.split(":")[0] for problem in caught.value.problems] == ["a.yaml", "c.yaml"]


def test_a_folder_pattern_picks_the_files(tmp_path: Path) -> None:
    _write(tmp_path, "items-1.yaml", GOOD)
    _write(tmp_path, "targets.yaml", "targets: []")
    assert list(load_folder(tmp_path, Catalogue, pattern="items-*.yaml")) == [
        tmp_path / "items-1.yaml"
    ]


def test_a_missing_or_empty_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="nowhere: folder not found"):
        load_folder(tmp_path / "nowhere", Catalogue)
    with pytest.raises(DataFileError, match=r"checks.yaml: is not a folder"):
        load_folder(_write(tmp_path, "checks.yaml", GOOD), Catalogue)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match=r"empty: no data files named \*\.yaml"):
        load_folder(tmp_path / "empty", Catalogue)


def test_the_error_keeps_one_line_per_problem_and_survives_pickling() -> None:
    error = DataFileError("a.yaml: one", "b.yaml: two")
    assert str(error) == "a.yaml: one\nb.yaml: two"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, just pickled
    assert copy.problems == error.problems
    assert isinstance(error, ValueError)
