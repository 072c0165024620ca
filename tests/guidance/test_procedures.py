"""The IPA SME incident-response guide as data: content, structure and validation."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hikeshi.datafiles.loading import DataFileError
from hikeshi.guidance.procedures import (
    CategoryId,
    ChecklistPhase,
    Heading,
    LeakCause,
    ProceduresFile,
    Recipient,
    Stage,
    Step,
    load_procedures,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"
ID_PATTERN = r"^[a-z][a-z0-9_.]*$"


@pytest.fixture(scope="module")
def guide() -> ProceduresFile:
    return load_procedures(DATA_DIR)


@pytest.fixture
def raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA_DIR / "procedures.yaml").read_text("utf-8"))
    return copy.deepcopy(data)


def _step(guide: ProceduresFile, step_id: str) -> Step:
    return next(step for step in guide.steps() if step.id == step_id)


def test_entry_ids_are_unique_and_dotted_lower_case(guide: ProceduresFile) -> None:
    ids = guide.ids()
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(ID_PATTERN, i) for i in ids)


def test_basic_steps_cover_all_three_stages_with_the_guides_headings(
    guide: ProceduresFile,
) -> None:
    assert [stage.id for stage in guide.stages] == [
        Stage.DETECTION,
        Stage.REPORTING,
        Stage.RECOVERY,
    ]
    assert [h.name.ja for h in guide.stages[0].headings] == [
        "検知と連絡受付",
        "対応体制の立ち上げ",
        "初動対応",
    ]
    assert [h.name.ja for h in guide.stages[1].headings] == ["第一報", "第二報以降・最終報"]
    assert [h.name.ja for h in guide.stages[2].headings] == [
        "調査・対応",
        "証拠保全",
        "復旧",
        "再発防止策",
    ]
    used = {step.heading for step in guide.basic.steps}
    assert used == set(Heading)


def test_first_response_isolates_but_warns_against_erasing_records(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.basic.detection.contain_without_erasing_records")
    assert step.heading is Heading.INITIAL_RESPONSE
    assert step.checklist_phase is ChecklistPhase.PREVENTION
    assert "ネットワークの遮断" in step.text.ja and "電源を切る" in step.text.ja
    assert "switching the devices off" in step.text.en


def test_basic_reporting_names_ppc_ministry_police_and_ipa(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.basic.reporting.notify_authorities")
    assert set(step.recipients) == {
        Recipient.PPC,
        Recipient.MINISTRY,
        Recipient.POLICE,
        Recipient.IPA,
    }
    assert "個人情報保護委員会" in step.text.ja and "警察" in step.text.ja


def test_investigation_points_to_5w1h_and_the_items_table(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.basic.recovery.investigate_5w1h")
    assert set(step.see) == {"sme.five_w_one_h", "sme.items_to_organise"}
    assert [item.text.ja for item in guide.five_w_one_h.items] == [
        "いつ",
        "どこで",
        "誰が",
        "何を",
        "なぜ",
        "どうしたのか",
    ]


def test_evidence_preservation_mentions_forensics(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.basic.recovery.preserve_evidence")
    assert step.heading is Heading.EVIDENCE and "フォレンジック調査" in step.text.ja


def test_every_category_has_detection_and_recovery_steps(guide: ProceduresFile) -> None:
    for category_id in CategoryId:
        stages = {step.stage for step in guide.category(category_id).steps}
        assert stages == set(Stage), category_id


def test_virus_and_ransomware_both_disconnect_infected_machines(guide: ProceduresFile) -> None:
    for category_id in (CategoryId.VIRUS_INFECTION, CategoryId.RANSOMWARE):
        step = _step(guide, f"sme.{category_id}.detection.isolate")
        assert step.checklist_phase is ChecklistPhase.PREVENTION
        assert "ネットワークから切り離します" in step.text.ja


def test_shared_reporting_steps_are_kept_under_both_virus_and_ransomware(
    guide: ProceduresFile,
) -> None:
    def joint(category_id: CategoryId) -> list[str]:
        return [s.text.ja for s in guide.category(category_id).steps if s.listed_jointly]

    assert joint(CategoryId.VIRUS_INFECTION) == joint(CategoryId.RANSOMWARE)
    assert any("IPAの届出窓口" in text for text in joint(CategoryId.VIRUS_INFECTION))


def test_virus_recovery_falls_back_to_a_clean_install(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.virus_infection.recovery.clean_install")
    assert "クリーンインストール" in step.text.ja
    assert step.see == ["sme.glossary.clean_install"]


def test_ransomware_recovery_tries_decryptor_then_backup_then_rebuilds(
    guide: ProceduresFile,
) -> None:
    ids = [s.id for s in guide.category(CategoryId.RANSOMWARE).steps if s.stage is Stage.RECOVERY]
    assert ids == [
        "sme.ransomware.recovery.decryptor",
        "sme.ransomware.recovery.restore_backup",
        "sme.ransomware.recovery.rebuild",
        "sme.ransomware.recovery.restore_system",
    ]
    assert "No More Ransom" in _step(guide, ids[0]).text.ja


def test_backup_guidance_keeps_media_disconnected_and_tests_restores(guide: ProceduresFile) -> None:
    assert "sme.backup" in _step(guide, "sme.ransomware.recovery.restore_backup").see
    texts = [item.text.ja for item in guide.backup.items]
    assert any("バックアップ時のみパソコンと接続する" in t and "オフサイト" in t for t in texts)
    assert any("定期的に復元(リストア)できるか確認する" in t for t in texts)


def test_leak_has_four_causes_and_loss_has_no_specific_steps(guide: ProceduresFile) -> None:
    leak = guide.category(CategoryId.INFORMATION_LEAK)
    assert [cause.id for cause in leak.causes] == list(LeakCause)
    loss = next(cause for cause in leak.causes if cause.id is LeakCause.LOSS)
    assert loss.has_specific_steps is False and loss.note is not None
    assert all(not step.causes for step in leak.steps_for(LeakCause.LOSS))
    assert leak.steps_for(LeakCause.LOSS)  # the general leak steps still apply


def test_each_other_leak_cause_has_steps_of_its_own(guide: ProceduresFile) -> None:
    leak = guide.category(CategoryId.INFORMATION_LEAK)
    for cause in (
        LeakCause.UNAUTHORIZED_ACCESS,
        LeakCause.INSIDER,
        LeakCause.MISDELIVERY,
    ):
        own = [step for step in leak.steps if cause in step.causes]
        assert {Stage.DETECTION, Stage.RECOVERY} <= {step.stage for step in own}, cause


def test_mis_sent_mail_asks_recipients_to_delete_and_web_leaks_are_taken_down(
    guide: ProceduresFile,
) -> None:
    leak = guide.category(CategoryId.INFORMATION_LEAK)
    texts = [s.text.ja for s in leak.steps_for(LeakCause.MISDELIVERY) if s.causes]
    assert any("受信した情報の削除を依頼" in t for t in texts)
    assert any("直ちに当該情報を削除" in t for t in texts)


def test_leak_police_report_applies_to_criminal_causes_only(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.information_leak.reporting.report_to_police")
    assert set(step.causes) == {LeakCause.UNAUTHORIZED_ACCESS, LeakCause.INSIDER}
    assert step.recipients == [Recipient.POLICE]


def test_leak_sub_bullets_name_their_parent_investigation(guide: ProceduresFile) -> None:
    children = [
        s for s in guide.steps() if s.parent == "sme.information_leak.recovery.investigate_scope"
    ]
    assert {cause for s in children for cause in s.causes} == {
        LeakCause.UNAUTHORIZED_ACCESS,
        LeakCause.INSIDER,
        LeakCause.MISDELIVERY,
    }


def test_insider_typo_is_kept_with_a_note_explaining_it(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.information_leak.detection.insider_discovery")
    assert "待ちだされた" in step.text.ja
    assert step.note is not None and "持ち出された" in step.note.ja


def test_system_outage_sends_security_causes_to_the_basic_steps(guide: ProceduresFile) -> None:
    step = _step(guide, "sme.system_outage.recovery.follow_basic_steps")
    assert step.see == ["sme.basic"]
    assert "sme.glossary.bcp" in _step(guide, "sme.system_outage.recovery.review_bcp").see


def test_items_to_organise_table_has_its_ten_rows(guide: ProceduresFile) -> None:
    rows = {item.text.ja: item.detail for item in guide.items_to_organise.items}
    assert len(rows) == 10
    assert rows["発覚日時"] is not None and rows["発覚日時"].ja == "インシデントを認知した日時"
    assert rows["発生日時"] is not None and "調査で判明" in rows["発生日時"].ja
    assert "システム構成・運用状況" in rows


def test_glossary_holds_the_four_footnotes(guide: ProceduresFile) -> None:
    assert [(g.footnote, g.term.ja) for g in guide.glossary] == [
        (1, "ランサムウェア"),
        (2, "クリーンインストール"),
        (3, "No More Ransom (ノーマアランサム)"),
        (4, "事業継続計画（BCP）"),
    ]
    assert "二重の脅迫" in guide.glossary[0].definition.ja


def test_no_url_points_at_a_typo_domain_and_corrections_are_noted(guide: ProceduresFile) -> None:
    urls = [str(link.url) for c in guide.contacts.contacts for link in c.links]
    urls += [str(resource.url) for resource in guide.resources]
    assert all("jpccert" not in url.lower() for url in urls)
    jpcert_form = next(c for c in guide.contacts.contacts if c.id == "sme.contacts.jpcert")
    assert str(jpcert_form.links[0].url) == "https://www.jpcert.or.jp/form/"
    assert jpcert_form.note is not None and "jpCERT" in jpcert_form.note.en
    manual = next(r for r in guide.resources if r.id == "sme.resources.jpcert_handling_manual")
    assert manual.note is not None and "jpccert" in manual.note.en


def test_reporting_steps_link_to_the_ipa_reporting_desk(guide: ProceduresFile) -> None:
    ipa_steps = [s for s in guide.steps() if Recipient.IPA in s.recipients]
    assert ipa_steps and all(s.checklist_phase is ChecklistPhase.REPORTING for s in ipa_steps)
    desk = next(c for c in guide.contacts.contacts if c.id == "sme.contacts.ipa_reporting")
    assert "crack-virus" in str(desk.links[0].url)


def test_a_step_under_a_heading_of_another_stage_is_rejected(raw: dict[str, Any]) -> None:
    raw["basic"]["steps"][0]["heading"] = "restoration"
    with pytest.raises(ValidationError, match="is not in stage"):
        ProceduresFile.model_validate(raw)


def test_a_step_id_that_names_the_wrong_stage_is_rejected(raw: dict[str, Any]) -> None:
    raw["basic"]["steps"][0]["id"] = "sme.basic.recovery.report_to_security_lead"
    with pytest.raises(ValidationError, match=re.escape("must start with sme.basic.detection.")):
        ProceduresFile.model_validate(raw)


def test_a_dangling_see_reference_is_rejected(raw: dict[str, Any]) -> None:
    raw["basic"]["steps"][0]["see"] = ["sme.nowhere"]
    with pytest.raises(ValidationError, match="unknown ids"):
        ProceduresFile.model_validate(raw)


def test_giving_the_loss_cause_a_step_without_updating_it_is_rejected(raw: dict[str, Any]) -> None:
    leak = raw["sections"][1]["categories"][0]
    leak["steps"][0]["causes"] = ["loss"]
    with pytest.raises(ValidationError, match="has_specific_steps"):
        ProceduresFile.model_validate(raw)


def test_a_broken_file_reports_the_file_and_entry(raw: dict[str, Any], tmp_path: Path) -> None:
    raw["basic"]["steps"][1]["checklist_phase"] = "later"
    (tmp_path / "procedures.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(DataFileError) as error:
        load_procedures(tmp_path)
    assert "procedures.yaml" in str(error.value)
    assert "sme.basic.detection.record_reporter_contact" in str(error.value)
