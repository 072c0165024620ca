"""Where to consult: a well-formed flow that walks to the right bodies, and strict validation."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from hikeshi.datafiles.loading import DataFileError, load_file
from hikeshi.guidance.consultation import ConsultationFile, load_consultation
from hikeshi.guidance.contacts import ContactKind, load_contacts

DATA = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"
TEXT = {"ja": "テスト", "en": "test"}


@pytest.fixture(scope="module")
def flow() -> ConsultationFile:
    return load_consultation(DATA)


def _outcome_ids(flow: ConsultationFile, answers: list[str]) -> list[str]:
    return [outcome.id for outcome in flow.walk(answers).outcomes]


def _load_flow(tmp_path: Path, questions: list[dict[str, Any]], start: str = "a") -> None:
    document = {
        "start": start,
        "questions": questions,
        "outcomes": [{"id": "done", "title": TEXT, "advice": [{"text": TEXT}], "contacts": ["x"]}],
    }
    path = tmp_path / "consultation.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    load_file(path, ConsultationFile)


def _question(question_id: str, *answers: dict[str, Any]) -> dict[str, Any]:
    return {"id": question_id, "text": TEXT, "answers": list(answers)}


def _to(answer_id: str, next_question: str | None = None, *outcomes: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": answer_id, "label": TEXT, "outcomes": list(outcomes)}
    if next_question:
        answer["next"] = next_question
    return answer


def test_flow_starts_by_asking_what_the_situation_is(flow: ConsultationFile) -> None:
    start = flow.question(flow.start)
    assert flow.start == "situation"
    assert [a.id for a in start.answers] == [
        "device_trouble",
        "possible_security_problem",
        "security_breach",
        "not_security",
    ]


def test_every_answer_leads_somewhere(flow: ConsultationFile) -> None:
    question_ids = {q.id for q in flow.questions}
    outcome_ids = {o.id for o in flow.outcomes}
    for question in flow.questions:
        for answer in question.answers:
            assert answer.next or answer.outcomes, (question.id, answer.id)
            assert answer.next is None or answer.next in question_ids
            assert set(answer.outcomes) <= outcome_ids


def test_every_outcome_names_a_contact_that_exists(flow: ConsultationFile) -> None:
    contact_ids = {c.id for c in load_contacts(DATA).contacts}
    for outcome in flow.outcomes:
        assert outcome.advice and (outcome.contacts or outcome.deployment_contacts), outcome.id
        assert set(outcome.contacts) <= contact_ids, outcome.id


def test_misbehaving_pc_goes_to_the_system_staff_and_vendor(flow: ConsultationFile) -> None:
    walk = flow.walk(["device_trouble"])
    assert walk.finished
    support = walk.outcomes[0]
    assert support.deployment_contacts == [ContactKind.INTERNAL_STAFF, ContactKind.SYSTEM_VENDOR]
    assert "保守業者" in support.title.ja


def test_quick_list_branches_reach_their_bodies(flow: ConsultationFile) -> None:
    def contacts(answers: list[str]) -> list[str]:
        return [c for o in flow.walk(answers).outcomes for c in o.contacts]

    assert "antiphishing_council" in contacts(["security_breach", "phishing"])
    assert contacts(["security_breach", "spam"]) == ["dekyo_spam_consultation"]
    assert "narisumashi_ec_council" in contacts(["security_breach", "spoofed_ec_site"])
    assert contacts(["not_security", "consumer_trouble"]) == ["kokusen_consumer_hotline"]
    assert contacts(["not_security", "human_rights"]) == ["moj_human_rights_110"]
    assert "tokyo_mpd_cyber_crime" in contacts(["security_breach", "report_crime"])


def test_illegal_information_desk_does_not_request_deletion(flow: ConsultationFile) -> None:
    outcome = flow.outcome("illegal_harmful_information")
    assert "ihaho_consultation_center" in outcome.contacts
    assert any("【削除依頼は行わない】" in a.text.ja for a in outcome.advice)


def test_business_email_compromise_warns_both_sides_may_be_liable(flow: ConsultationFile) -> None:
    outcome = flow.walk(["security_breach", "business_email_compromise"]).outcomes[0]
    assert "自社と取引先のどちらにも損害賠償責任" in outcome.advice[0].text.ja
    assert ContactKind.LOCAL_POLICE in outcome.deployment_contacts


def test_leak_of_eu_data_by_intrusion_is_routed_to_every_body(flow: ConsultationFile) -> None:
    answers = ["security_breach", "own_systems_attacked", "yes", "yes", "yes", "privacy_mark"]
    answers += ["yes", "yes"]
    assert _outcome_ids(flow, answers) == [
        "ipa_notification",
        "jpcert_report",
        "ppc_report",
        "gdpr_check",
        "privacy_mark_report",
        "police_report",
        "ministry_report",
        "recovery_and_prevention",
    ]


def test_intrusion_without_personal_data_skips_the_privacy_questions(
    flow: ConsultationFile,
) -> None:
    answers = ["security_breach", "own_systems_attacked", "yes", "no"]
    walk = flow.walk(answers)
    assert walk.next_question is not None and walk.next_question.id == "crime"
    assert _outcome_ids(flow, [*answers, "no", "no"]) == [
        "ipa_notification",
        "jpcert_report",
        "recovery_and_prevention",
    ]


def test_emotet_signs_give_the_guide_and_continue_to_the_reports(flow: ConsultationFile) -> None:
    walk = flow.walk(["security_breach", "emotet_signs"])
    assert [o.id for o in walk.outcomes] == ["emotet_response"]
    assert walk.next_question is not None and walk.next_question.id == "malware_or_intrusion"


def test_emotet_guide_reports_to_jpcert_and_lists_both_alerts(flow: ConsultationFile) -> None:
    guide = flow.guide("emotet_response")
    assert [s.id for s in guide.sections] == [
        "prevention",
        "infection_signs",
        "initial_response",
        "recommended_actions",
        "report",
        "recovery_vendors",
    ]
    report = next(s for s in guide.sections if s.id == "report")
    contacts = load_contacts(DATA)
    assert contacts.get(report.contacts[0]).phones[0].number == "03-6271-8901"
    urls = {str(contacts.get(c).urls[0]) for c in report.contacts[1:]}
    assert urls == {
        "https://www.jpcert.or.jp/at/2019.html",
        "https://www.jpcert.or.jp/at/2019/at190044.html",
    }
    vendors = next(s for s in guide.sections if s.id == "recovery_vendors")
    assert vendors.contacts == ["ipa_service_list", "jnsa_emergency_response"]


def test_ocr_misreadings_are_corrected_and_marked_inferred(flow: ConsultationFile) -> None:
    prevention = flow.guide("emotet_response").sections[0]
    patch = next(step for step in prevention.steps if "SMB" in step.text.ja)
    assert "パッチ" in patch.text.ja
    assert patch.inferred and patch.note is not None and "バッチ" in patch.note.ja


def test_permanent_measures_list_the_three_steps(flow: ConsultationFile) -> None:
    steps = [s.text.ja for s in flow.guide("permanent_measures").sections[0].steps]
    assert steps == [
        "【再発防止策の検討】",
        "【新しい対策の策定(技術的・管理的・人的・物理的)】",
        "【新しいルールの運用】",
    ]
    assert "permanent_measures" in flow.outcome("recovery_and_prevention").guides


def test_walk_rejects_an_answer_the_question_does_not_have(flow: ConsultationFile) -> None:
    with pytest.raises(KeyError, match="no answer 'maybe'"):
        flow.walk(["security_breach", "maybe"])


def test_flow_with_cycle_is_rejected_with_its_question_named(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as error:
        _load_flow(
            tmp_path,
            [
                _question("a", _to("go", "b"), _to("stop", None, "done")),
                _question("b", _to("back", "a"), _to("stop", None, "done")),
            ],
        )
    assert "questions form a cycle: a → b → a" in str(error.value)


def test_answer_pointing_to_unknown_outcome_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="question 'a', answer 'x': unknown outcome 'gone'"):
        _load_flow(tmp_path, [_question("a", _to("x", None, "gone"), _to("y", None, "done"))])


def test_answer_pointing_to_unknown_question_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="answer 'x': unknown question 'zzz'"):
        _load_flow(tmp_path, [_question("a", _to("x", "zzz"), _to("y", None, "done"))])


def test_answer_leading_nowhere_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="answer 'x' leads nowhere"):
        _load_flow(tmp_path, [_question("a", _to("x"), _to("y", None, "done"))])


def test_unreachable_question_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="question 'island' cannot be reached from 'a'"):
        _load_flow(
            tmp_path,
            [
                _question("a", _to("x", None, "done"), _to("y", None, "done")),
                _question("island", _to("x", None, "done"), _to("y", None, "done")),
            ],
        )


def test_unknown_contact_in_an_outcome_is_rejected(tmp_path: Path) -> None:
    shutil.copy(DATA / "contacts.yaml", tmp_path / "contacts.yaml")
    text = (DATA / "consultation.yaml").read_text(encoding="utf-8")
    (tmp_path / "consultation.yaml").write_text(
        text.replace("contacts: [dekyo_spam_consultation]", "contacts: [no_such_desk]"),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="outcome 'spam': unknown contact 'no_such_desk'"):
        load_consultation(tmp_path)


def test_inferred_answer_without_a_note_is_rejected(tmp_path: Path) -> None:
    unexplained = {**_to("x", None, "done"), "inferred": True}
    with pytest.raises(DataFileError, match="explain the reading in 'note'"):
        _load_flow(tmp_path, [_question("a", unexplained, _to("y", None, "done"))])
