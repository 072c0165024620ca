"""`hikeshi guidance export|check`: the guidance as JSON, CSV or Markdown, and edits checked."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hikeshi.cli import app
from hikeshi.guidance.knowledge import DATA_DIR

Run = Callable[..., Result]


@pytest.fixture
def hikeshi_plain() -> Run:
    """Run `hikeshi ARGS...` with no database: the guidance commands do not need one."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """Return a copy of the packaged guidance data, free to break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_export_json_has_75_items_in_the_agreed_shape(hikeshi_plain: Run) -> None:
    result = hikeshi_plain("guidance", "export", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [item["number"] for item in items] == list(range(1, 76))
    item = items[27]
    assert item["number"] == 28
    assert {"ja", "en"} <= set(item["target"])
    assert item["phase"] in {"initial", "scope", "prevention"}
    assert set(item["applicability"]) == {"apt", "banking_fraud", "ransomware", "insider"}
    assert set(item["applicability"].values()) <= {"required", "conditional", "none"}
    assert item["title"] == {"ja": "マルウェアは削除せず隔離", "en": item["title"]["en"]}
    assert item["steps"] and all({"ja", "en"} == set(step) for step in item["steps"])
    assert isinstance(item["references"], list)
    assert "note" in item


def test_export_csv_has_a_header_and_one_row_per_item(hikeshi_plain: Run) -> None:
    result = hikeshi_plain("guidance", "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 75
    assert rows[27]["number"] == "28"
    assert rows[27]["title_ja"] == "マルウェアは削除せず隔離"
    assert rows[49]["ransomware"] == "required"


def test_export_md_follows_the_language(hikeshi_plain: Run) -> None:
    japanese = hikeshi_plain("guidance", "export", "--format", "md")
    english = hikeshi_plain("guidance", "export", "--format", "md", "--lang", "en")
    assert japanese.exit_code == english.exit_code == 0, japanese.output + english.output
    assert japanese.stdout.startswith("# インシデント対応項目")
    assert "### 28. マルウェアは削除せず隔離" in japanese.stdout
    assert english.stdout.startswith("# Incident response items")


def test_export_to_a_file_says_where_it_went(hikeshi_plain: Run, tmp_path: Path) -> None:
    target = tmp_path / "matrix.csv"
    result = hikeshi_plain("guidance", "export", "--format", "csv", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"to {target}" in result.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) > 75


def test_lang_with_json_is_noted_because_json_carries_both(hikeshi_plain: Run) -> None:
    result = hikeshi_plain("guidance", "export", "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "--lang only changes the md document" in result.stderr
    json.loads(result.stdout)


def test_an_unwritable_output_is_one_line(hikeshi_plain: Run, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.md"
    result = hikeshi_plain("guidance", "export", "--format", "md", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {target}")
    assert result.stderr.count("\n") == 1


def test_an_unknown_format_is_a_usage_error(hikeshi_plain: Run) -> None:
    result = hikeshi_plain("guidance", "export", "--format", "xlsx")
    assert result.exit_code == 2


def test_export_and_check_do_not_load_django() -> None:
    probe = (
        "import sys\nfrom hikeshi.cli import main\n"
        "for argv in (['guidance', 'export', '--format', 'csv'], ['guidance', 'check']):\n"
        "    sys.argv = ['hikeshi', *argv]\n"
        "    try:\n        main()\n    except SystemExit as exit:\n"
        "        assert not exit.code, exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "sys.exit(3 if loaded else 0)"
    )
    # S603: runs this interpreter on a fixed probe.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_check_passes_on_the_shipped_data(hikeshi_plain: Run) -> None:
    result = hikeshi_plain("guidance", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 75 matrix items, ")


def test_check_passes_on_an_unchanged_copy(hikeshi_plain: Run, data_copy: Path) -> None:
    result = hikeshi_plain("guidance", "check", "--data-dir", str(data_copy))
    assert result.exit_code == 0, result.output
    assert str(data_copy) in result.stdout


def test_check_names_file_entry_and_field_of_a_broken_copy(
    hikeshi_plain: Run, data_copy: Path
) -> None:
    _replace_once(
        data_copy / "matrix" / "items-01-37.yaml", "ja: マルウェアは削除せず隔離", "ja: ''"
    )
    result = hikeshi_plain("guidance", "check", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Error: items-01-37.yaml: entry number=28, field title.ja:" in result.stderr
    assert "Traceback" not in result.output


def test_check_lists_the_problems_of_every_broken_file(hikeshi_plain: Run, data_copy: Path) -> None:
    _replace_once(data_copy / "matrix" / "items-38-75.yaml", "phase: scope", "phase: later")
    _replace_once(data_copy / "incident_types.yaml", "code: ransomware", "code: ransomwear")
    result = hikeshi_plain("guidance", "check", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert "items-38-75.yaml: entry number=" in result.stderr
    assert ", field phase:" in result.stderr
    assert "incident_types.yaml: entry code=ransomwear, field code:" in result.stderr
    assert "2 problems in" in result.stderr


def test_check_reports_a_reference_between_files(hikeshi_plain: Run, data_copy: Path) -> None:
    _replace_once(
        data_copy / "consultation.yaml",
        "contacts: [ipa_security_consultation,",
        "contacts: [ipa_securty_consultation,",
    )
    result = hikeshi_plain("guidance", "check", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert "Error: consultation.yaml: outcome 'consult_system_staff': unknown contact " in (
        result.stderr
    )
    assert "'ipa_securty_consultation'" in result.stderr


def test_check_reports_broken_yaml_with_its_line(hikeshi_plain: Run, data_copy: Path) -> None:
    (data_copy / "flow.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    result = hikeshi_plain("guidance", "check", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert "Error: flow.yaml: line " in result.stderr
    assert "invalid YAML" in result.stderr


def test_check_of_a_folder_that_is_not_there_is_a_usage_error(
    hikeshi_plain: Run, tmp_path: Path
) -> None:
    result = hikeshi_plain("guidance", "check", "--data-dir", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
