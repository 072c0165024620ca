"""The JPCERT/CC incident handling flow as data: content, structure and validation."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hikeshi.guidance.flow import CaseType, FlowFile, FlowPhaseId, Point, load_flow
from hikeshi.guidance.procedures import ChecklistPhase

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"


@pytest.fixture(scope="module")
def flow() -> FlowFile:
    return load_flow(DATA_DIR)


@pytest.fixture
def raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA_DIR / "flow.yaml").read_text("utf-8"))
    return copy.deepcopy(data)


def _point(flow: FlowFile, point_id: str) -> Point:
    return next(p for p in flow.entries() if isinstance(p, Point) and p.id == point_id)


def test_flow_has_its_four_processes_in_order(flow: FlowFile) -> None:
    assert [(p.id, p.name.ja) for p in flow.phases] == [
        (FlowPhaseId.DETECTION, "検知/連絡受付"),
        (FlowPhaseId.TRIAGE, "トリアージ"),
        (FlowPhaseId.RESPONSE, "インシデントレスポンス"),
        (FlowPhaseId.REPORTING, "報告/情報公開"),
    ]


def test_entry_ids_are_unique_dotted_and_start_with_their_phase(flow: FlowFile) -> None:
    for phase in flow.phases:
        for entry in phase.entries():
            assert re.fullmatch(r"^[a-z][a-z0-9_.]*$", entry.id)
            assert entry.id.startswith(f"flow.{phase.id}.")
    ids = [entry.id for entry in flow.entries()]
    assert len(ids) == len(set(ids))


def test_each_phase_lists_its_requirement_groups(flow: FlowFile) -> None:
    titles = {p.id: [g.title.ja for g in p.groups] for p in flow.phases}
    assert titles[FlowPhaseId.RESPONSE] == [
        "詳細状況の確認",
        "証拠（ログ等）の取得・保全",
        "応急処置の実施",
        "復旧対応",
    ]
    assert "外部機関への通報・相談" in titles[FlowPhaseId.REPORTING]


def test_triage_checks_malware_infection_first(flow: FlowFile) -> None:
    point = _point(flow, "flow.triage.fact_check.malware")
    assert point.checklist_phase is ChecklistPhase.INITIAL
    assert "感染有無の確認" in point.text.ja


def test_triage_evaluation_points_carry_their_verdict(flow: FlowFile) -> None:
    group = next(
        g for g in flow.phase(FlowPhaseId.TRIAGE).groups if g.id == "flow.triage.evaluation"
    )
    conditions = [point.condition.ja if point.condition else None for point in group.points]
    assert conditions == [
        "インシデントであると判断した場合",
        "インシデントであると判断した場合",
        "インシデントではないと判断した場合",
    ]


def test_detection_records_the_six_example_items(flow: FlowFile) -> None:
    records = flow.phase(FlowPhaseId.DETECTION).records
    assert records is not None and records.title.ja == "検知、連絡受付時の記録事項例"
    texts = [item.text.ja for item in records.items]
    assert len(texts) == 6
    assert texts[0] == "検知日時/受付日時"
    assert any(t.startswith("インシデント発生箇所") for t in texts)
    assert all(item.checklist_phase is ChecklistPhase.INITIAL for item in records.items)


def test_typos_in_the_record_items_are_kept_and_explained(flow: FlowFile) -> None:
    records = flow.phase(FlowPhaseId.DETECTION).records
    assert records is not None
    by_id = {item.id: item for item in records.items}
    reporter = by_id["flow.detection.record.reporter"]
    assert (
        "連絡着" in reporter.text.ja and reporter.note is not None and "連絡者" in reporter.note.ja
    )
    event = by_id["flow.detection.record.event_detection"]
    assert event.note is not None and "当該事象" in event.note.ja


def test_targeted_mail_notes_belong_to_detection_and_triage(flow: FlowFile) -> None:
    notes = flow.case_notes(CaseType.TARGETED_MAIL)
    assert {n.id.split(".")[1] for n in notes} == {"detection", "triage"}
    assert any("なりすまされた本人へヒアリング" in n.text.ja for n in notes)
    assert any("メールサーバログ" in n.text.ja for n in notes)


def test_ransomware_notes_cover_backups_and_decryptors(flow: FlowFile) -> None:
    notes = flow.phase(FlowPhaseId.RESPONSE).case_notes
    assert all(n.case is CaseType.RANSOMWARE for n in notes)
    assert [n.text.ja for n in notes] == [
        "被害を免れたバックアップの保護",
        "暗号化されたファイルのバックアップからの復元",
        "復号ツール有無の確認",
    ]


def test_ransomware_flow_says_never_pay(flow: FlowFile) -> None:
    (note,) = flow.phase(FlowPhaseId.REPORTING).case_notes
    assert note.case is CaseType.RANSOMWARE
    assert "身代金の支払い" in note.text.ja and "交渉は実施しない" in note.text.ja
    assert "Do not pay" in note.text.en


def test_emergency_measures_are_separate_checklist_points(flow: FlowFile) -> None:
    isolate = _point(flow, "flow.response.emergency.isolate_terminal")
    assert isolate.text.ja == "通報者に感染端末の隔離を依頼する"
    assert isolate.checklist_phase is ChecklistPhase.PREVENTION
    assert (
        _point(flow, "flow.response.evidence.volatile_first").checklist_phase
        is ChecklistPhase.SCOPE
    )
    assert _point(flow, "flow.response.recovery.verify").checklist_phase is ChecklistPhase.RECOVERY


def test_reporting_includes_the_police(flow: FlowFile) -> None:
    point = _point(flow, "flow.reporting.external.police")
    assert point.text.ja.startswith("警察に届出")


def test_flow_says_the_steps_have_no_fixed_order(flow: FlowFile) -> None:
    assert flow.ordering_note.ja.startswith("各対応は順序性があるわけではありません")
    assert "fixed order" in flow.ordering_note.en


def test_flow_cites_the_jpcert_handling_manual(flow: FlowFile) -> None:
    assert str(flow.source.url) == "https://www.jpcert.or.jp/csirt_material/operation_phase.html"
    assert flow.source.title.ja == "インシデントハンドリングマニュアル"


def test_phases_out_of_order_are_rejected(raw: dict[str, Any]) -> None:
    raw["phases"][0], raw["phases"][1] = raw["phases"][1], raw["phases"][0]
    with pytest.raises(ValidationError, match="in that order"):
        FlowFile.model_validate(raw)


def test_a_point_filed_under_the_wrong_group_is_rejected(raw: dict[str, Any]) -> None:
    raw["phases"][1]["groups"][0]["points"][0]["id"] = "flow.triage.evaluation.malware"
    with pytest.raises(ValidationError, match=re.escape("must start with flow.triage.fact_check.")):
        FlowFile.model_validate(raw)


def test_an_unknown_case_type_is_rejected(raw: dict[str, Any]) -> None:
    raw["phases"][3]["case_notes"][0]["case"] = "phishing"
    with pytest.raises(ValidationError):
        FlowFile.model_validate(raw)
