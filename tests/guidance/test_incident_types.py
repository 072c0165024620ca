"""The incident-type vocabulary: fixed codes, and reasons for the matrix columns each uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hikeshi.datafiles.loading import DataFileError, read_yaml
from hikeshi.guidance.incident_types import (
    FirstResponseCase,
    FlowCase,
    IncidentTypeCode,
    IncidentTypesFile,
    SmeProcedureId,
    load_incident_types,
)
from hikeshi.guidance.matrix import MatrixType

DATA = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"


@pytest.fixture(scope="module")
def types() -> IncidentTypesFile:
    return load_incident_types(DATA)


def _write_modified(tmp_path: Path, change: Any) -> Path:
    raw = read_yaml(DATA / "incident_types.yaml")
    change(raw["incident_types"])
    (tmp_path / "incident_types.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


def test_codes_are_exactly_the_ten_in_order(types: IncidentTypesFile) -> None:
    assert [t.code.value for t in types.incident_types] == [
        "apt",
        "banking_fraud",
        "ransomware",
        "insider",
        "information_leak",
        "virus_infection",
        "system_outage",
        "spoofed_email",
        "web_tampering",
        "account_takeover",
    ]


def test_names_are_the_agreed_japanese_names(types: IncidentTypesFile) -> None:
    assert [t.name.ja for t in types.incident_types] == [
        "標的型攻撃",
        "不正送金",
        "ランサムウェア",
        "内部不正",
        "情報漏えい",
        "ウイルス感染",
        "システム停止",
        "なりすましメール",
        "Webサイト改ざん",
        "アカウント乗っ取り",
    ]
    assert types.get("apt").name.en.startswith("APT")


def test_virus_infection_draws_from_matrix_columns_with_reason(types: IncidentTypesFile) -> None:
    virus = types.get(IncidentTypeCode.VIRUS_INFECTION)
    assert virus.matrix_types == [MatrixType.APT, MatrixType.BANKING_FRAUD, MatrixType.RANSOMWARE]
    # The reason names the malware items and why the insider column is left out.
    assert "No.28" in virus.rationale.ja and "内部不正列は空欄" in virus.rationale.ja
    assert "insider" in virus.rationale.en
    assert virus.sme_procedures == [SmeProcedureId.VIRUS_INFECTION]
    assert virus.first_response_cases == [FirstResponseCase.MALWARE_SUSPECTED]


def test_each_matrix_column_has_an_incident_type_of_its_own(types: IncidentTypesFile) -> None:
    for matrix_type in MatrixType:
        own = types.get(matrix_type.value)
        assert own.matrix_types == [matrix_type]
        assert "そのもの" in own.rationale.ja


def test_system_outage_draws_from_no_matrix_column_and_says_why(types: IncidentTypesFile) -> None:
    outage = types.get("system_outage")
    assert outage.matrix_types == []
    assert "原因" in outage.rationale.ja
    assert outage.sme_procedures == [SmeProcedureId.SYSTEM_OUTAGE]


def test_information_leak_covers_every_leak_procedure(types: IncidentTypesFile) -> None:
    leak = types.get("information_leak")
    assert [p.value for p in leak.sme_procedures] == [
        "information_leak",
        "information_leak.unauthorized_access",
        "information_leak.insider",
        "information_leak.misdelivery",
        "information_leak.loss",
    ]
    assert leak.matrix_types == [MatrixType.APT, MatrixType.INSIDER]
    assert "No.71" in leak.rationale.ja


def test_flow_cases_point_at_targeted_mail_and_ransomware(types: IncidentTypesFile) -> None:
    with_targeted_mail = {
        t.code for t in types.incident_types if FlowCase.TARGETED_MAIL in t.flow_cases
    }
    assert with_targeted_mail == {"apt", "virus_infection", "spoofed_email"}
    assert types.get("ransomware").flow_cases == [FlowCase.RANSOMWARE]
    assert types.get("insider").flow_cases == []


def test_first_response_cases_of_the_qa_each_have_a_type(types: IncidentTypesFile) -> None:
    assert types.get("spoofed_email").first_response_cases == [FirstResponseCase.SPOOFED_MAIL]
    assert types.get("web_tampering").first_response_cases == [FirstResponseCase.WEB_TAMPERING]
    assert types.get("account_takeover").first_response_cases == [FirstResponseCase.ACCOUNT_MISUSE]
    used = {case for t in types.incident_types for case in t.first_response_cases}
    assert used == set(FirstResponseCase)


def test_for_matrix_type_lists_the_types_using_a_column(types: IncidentTypesFile) -> None:
    codes = [t.code.value for t in types.for_matrix_type(MatrixType.INSIDER)]
    assert codes == ["insider", "information_leak", "account_takeover"]


def test_repeated_code_is_rejected(tmp_path: Path) -> None:
    def repeat(entries: list[dict[str, Any]]) -> None:
        entries[1]["code"] = "apt"

    with pytest.raises(DataFileError, match="codes appear twice: apt"):
        load_incident_types(_write_modified(tmp_path, repeat))


def test_unknown_matrix_type_is_rejected_with_the_entry_named(tmp_path: Path) -> None:
    def unknown(entries: list[dict[str, Any]]) -> None:
        entries[5]["matrix_types"] = ["apt", "phishing"]

    with pytest.raises(DataFileError) as error:
        load_incident_types(_write_modified(tmp_path, unknown))
    assert "code=virus_infection, field matrix_types[1]" in str(error.value)


def test_missing_code_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="missing account_takeover"):
        load_incident_types(_write_modified(tmp_path, lambda entries: entries.pop()))


def test_unknown_sme_procedure_is_rejected(tmp_path: Path) -> None:
    def unknown(entries: list[dict[str, Any]]) -> None:
        entries[0]["sme_procedures"] = ["information_leak.stolen"]

    with pytest.raises(DataFileError, match="code=apt, field sme_procedures"):
        load_incident_types(_write_modified(tmp_path, unknown))
