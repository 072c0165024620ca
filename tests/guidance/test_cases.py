"""First response by case, the reporting Q&A and the reference lists as data."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hikeshi.guidance.cases import (
    CasesFile,
    FirstResponseCase,
    Obligation,
    Recipient,
    ReferenceTiming,
    load_cases,
)
from hikeshi.guidance.procedures import ChecklistPhase

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"


@pytest.fixture(scope="module")
def cases() -> CasesFile:
    return load_cases(DATA_DIR)


@pytest.fixture
def raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA_DIR / "cases.yaml").read_text("utf-8"))
    return copy.deepcopy(data)


def _case(cases: CasesFile, case_id: str) -> FirstResponseCase:
    return next(case for case in cases.first_response.cases if case.id == case_id)


def test_entry_ids_are_unique_and_dotted_lower_case(cases: CasesFile) -> None:
    ids = cases.ids()
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"^[a-z][a-z0-9_.]*$", i) for i in ids)


def test_the_four_cases_each_have_first_response_steps(cases: CasesFile) -> None:
    assert [case.id for case in cases.first_response.cases] == [
        "cases.malware_suspected",
        "cases.spoofed_mail",
        "cases.web_tampering",
        "cases.account_misuse",
    ]


def test_suspected_malware_is_disconnected_first(cases: CasesFile) -> None:
    first = _case(cases, "cases.malware_suspected").steps[0]
    assert first.checklist_phase is ChecklistPhase.PREVENTION
    assert "ネットワークから切り離して" in first.text.ja


def test_spoofed_mail_warns_not_to_click_or_open(cases: CasesFile) -> None:
    (step,) = _case(cases, "cases.spoofed_mail").steps
    assert "内部リンクのクリック" in step.text.ja and "添付ファイルの開封" in step.text.ja


def test_tampered_site_is_closed_and_the_stakeholders_told(cases: CasesFile) -> None:
    steps = _case(cases, "cases.web_tampering").steps
    assert "Webサイトの緊急閉鎖" in steps[0].text.ja
    assert steps[1].checklist_phase is ChecklistPhase.REPORTING


def test_misused_account_gets_a_new_password_and_loses_linked_apps(cases: CasesFile) -> None:
    texts = [step.text.ja for step in _case(cases, "cases.account_misuse").steps]
    assert texts == [
        "パスワードを変更してください。",
        "また、アカウントに連携しているアプリ類はすべて削除してください。",
    ]


def test_police_report_is_recommended_and_the_police_advise_consulting_early(
    cases: CasesFile,
) -> None:
    police = cases.target(Recipient.POLICE)
    assert police.obligation is Obligation.RECOMMENDED
    assert "被害届" in police.answer.ja and "届け出をされない判断" in police.answer.ja
    advice = [a.text.ja for a in police.advice]
    assert any("生活安全" in a for a in advice)
    assert any("早い段階から相談" in a for a in advice)
    assert any("平時から" in a for a in advice)
    assert police.url is None


def test_ministry_report_covers_industry_wide_and_critical_infrastructure_cases(
    cases: CasesFile,
) -> None:
    ministry = cases.target(Recipient.MINISTRY)
    assert "社会全体に影響" in ministry.applies_when.ja
    assert "重要インフラ" in ministry.answer.ja
    assert ministry.url is None


def test_jpcert_report_is_voluntary_and_links_to_its_form(cases: CasesFile) -> None:
    jpcert = cases.target(Recipient.JPCERT_CC)
    assert jpcert.obligation is Obligation.VOLUNTARY
    assert "報告の義務はありません" in jpcert.answer.ja
    assert str(jpcert.url) == "https://www.jpcert.or.jp/form/"


def test_personal_data_reports_are_obligations_with_their_basis(cases: CasesFile) -> None:
    expected = {
        Recipient.PPC: ("個人情報保護法", "https://www.ppc.go.jp/personalinfo/legal/leakAction/"),
        Recipient.GDPR: ("GDPR", "https://www.ppc.go.jp/enforcement/infoprovision/laws/GDPR/"),
        Recipient.PRIVACY_MARK: (
            "プライバシーマーク付与に関する規約(PMK500)",
            "https://privacymark.jp/system/accident/index.html",
        ),
    }
    for recipient, (basis, url) in expected.items():
        target = cases.target(recipient)
        assert target.obligation is Obligation.OBLIGATION, recipient
        assert target.basis is not None and target.basis.ja == basis
        assert str(target.url) == url


def test_ppc_duty_depends_on_what_leaked(cases: CasesFile) -> None:
    ppc = cases.target(Recipient.PPC)
    assert "その内容によっては報告することが義務づけられています" in ppc.answer.ja
    assert ppc.note is not None and "depending on the content" in ppc.note.en


def test_certification_bodies_follow_the_agreed_process_without_a_url(cases: CasesFile) -> None:
    body = cases.target(Recipient.CERTIFICATION_BODY)
    assert "ISMS" in body.applies_when.ja
    assert body.obligation is Obligation.OBLIGATION and body.url is None


def test_every_reporting_target_is_in_the_reporting_phase(cases: CasesFile) -> None:
    assert {t.checklist_phase for t in cases.targets()} == {ChecklistPhase.REPORTING}
    assert {t.recipient for t in cases.targets()} == set(Recipient)


def test_reference_lists_name_organisation_and_page(cases: CasesFile) -> None:
    before = cases.references(ReferenceTiming.BEFORE)
    during = cases.references(ReferenceTiming.DURING)
    assert len(before) == 8 and len(during) == 9
    starter = next(r for r in before if r.id == "cases.refs.before.csirt_starter_kit")
    assert starter.organisation.ja == "日本CSIRT協議会" and starter.page is not None
    phishing = next(r for r in during if r.id == "cases.refs.during.phishing_council")
    assert phishing.page is None and phishing.note is not None
    assert [r.url for r in before] == [None] * len(before)


def test_an_obligation_without_a_basis_is_rejected(raw: dict[str, Any]) -> None:
    del raw["reporting"]["questions"][2]["targets"][0]["basis"]
    with pytest.raises(ValidationError, match="must name its basis"):
        CasesFile.model_validate(raw)


def test_a_reporting_target_outside_the_reporting_phase_is_rejected(raw: dict[str, Any]) -> None:
    raw["reporting"]["questions"][0]["targets"][0]["checklist_phase"] = "initial"
    with pytest.raises(ValidationError, match="reporting phase"):
        CasesFile.model_validate(raw)


def test_a_malformed_url_is_rejected(raw: dict[str, Any]) -> None:
    raw["reporting"]["questions"][2]["targets"][2]["url"] = "www.jpcert.or.jp/form"
    with pytest.raises(ValidationError):
        CasesFile.model_validate(raw)


def test_a_duplicated_id_is_rejected(raw: dict[str, Any]) -> None:
    rows = raw["reference_lists"][0]["rows"]
    rows[1]["id"] = rows[0]["id"]
    with pytest.raises(ValidationError, match="duplicate ids"):
        CasesFile.model_validate(raw)
