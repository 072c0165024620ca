"""`hikeshi checklist show|done|na|start|assign`: the services' rules, one clear line each."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from typer.testing import Result

from hikeshi.cli.checklist import Phase, Requirement, Status
from hikeshi.incidents.audit.verify import verify_incident
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident
from hikeshi.incidents.models.checklist import ChecklistPhase, ItemStatus
from hikeshi.incidents.models.checklist import Requirement as ModelRequirement
from hikeshi.incidents.selectors.checklist import STATUS_FILTERS
from hikeshi.incidents.services.incidents import IncidentInput, open_incident

Run = Callable[..., Result]
TOKYO = ZoneInfo("Asia/Tokyo")
DECRYPTOR = "procedure:sme.ransomware.recovery.decryptor"


def _item(incident: Incident, key: str) -> ChecklistItem:
    return incident.checklist.get(key=key)


def _done(hikeshi: Run, incident: Incident, item: str, *extra: str) -> Result:
    return hikeshi(
        "checklist", "done", str(incident.pk), item,
        "--at", "2026-11-20T10:15",
        "--scope", "PC-01（192.168.10.21）",
        "--settings", "検体をパスワード付き ZIP で隔離フォルダへ",
        "--as", "responder",
        *extra,
    )  # fmt: skip


def _show_json(hikeshi: Run, incident: Incident, *extra: str) -> dict[str, Any]:
    result = hikeshi("checklist", "show", str(incident.pk), "--json", "--as", "lead", *extra)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_show_json_for_a_ransomware_incident_includes_items_50_and_51(
    hikeshi: Run, incident: Incident
) -> None:
    result = hikeshi("checklist", "show", str(incident.pk), "--json", "--as", "viewer")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    numbers = {item["number"] for item in data["items"]}
    assert {50, 51} <= numbers
    assert 49 not in numbers  # online banking is banking fraud's
    item = next(item for item in data["items"] if item["number"] == 50)
    assert item["key"] == "matrix:50"
    assert item["title"]["en"] == "Ransomware: identify the type"
    assert {
        "id", "key", "number", "phase", "group", "requirement", "title", "condition", "status",
        "assignee", "performed_at", "scope", "settings", "applies", "log_checks",
    } <= set(item)  # fmt: skip
    assert (item["status"], item["assignee"], item["applies"]) == ("todo", None, True)
    assert any(i["key"] == DECRYPTOR and i["number"] is None for i in data["items"])
    assert data["progress"][0]["phase"] == "initial"
    assert {"closed", "total", "required_open", "percent"} <= set(data["progress"][0])


def test_show_json_lists_items_in_working_order(hikeshi: Run, incident: Incident) -> None:
    data = json.loads(
        hikeshi("checklist", "show", str(incident.pk), "--json", "--as", "lead").stdout
    )
    order = list(ChecklistPhase.values)
    phases = [item["phase"] for item in data["items"]]
    assert phases == sorted(phases, key=order.index)


def test_conditional_items_carry_their_condition_in_json(hikeshi: Run, incident: Incident) -> None:
    data = json.loads(
        hikeshi("checklist", "show", str(incident.pk), "--json", "--as", "lead").stdout
    )
    conditional = [i for i in data["items"] if i["requirement"] == "conditional" and i["number"]]
    assert conditional
    assert all(set(i["condition"]) == {"ja", "en"} for i in conditional)


def test_show_is_a_table_by_phase_with_progress(hikeshi: Run, incident: Incident) -> None:
    result = hikeshi("checklist", "show", str(incident.pk), "--as", "viewer")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"#{incident.pk} {incident.title}"
    assert any(line.startswith("■ 初動対応  完了 0/") for line in lines)
    row = next(line for line in lines if line.split()[:1] == ["28"])
    assert row.split() == ["28", "○", "未着手", "マルウェアは削除せず隔離"]
    assert any(line.split()[:2] == ["4", "△"] for line in lines)
    assert any(f"({DECRYPTOR})" in line for line in lines)


def test_show_in_english(hikeshi: Run, incident: Incident) -> None:
    result = hikeshi("checklist", "show", str(incident.pk), "--lang", "en", "--as", "lead")
    assert result.exit_code == 0, result.output
    assert "Isolate malware instead of deleting it" in result.stdout
    assert "■ Initial response  closed 0/" in result.stdout
    assert "To do" in result.stdout


def test_show_filters_by_phase_and_status(hikeshi: Run, incident: Incident) -> None:
    assert _done(hikeshi, incident, "28").exit_code == 0
    done = hikeshi(
        "checklist", "show", str(incident.pk), "--status", "done", "--json", "--as", "lead"
    )
    assert [item["key"] for item in json.loads(done.stdout)["items"]] == ["matrix:28"]
    recovery = hikeshi(
        "checklist", "show", str(incident.pk), "--phase", "recovery", "--json", "--as", "lead"
    )
    items = json.loads(recovery.stdout)["items"]
    assert items and {item["phase"] for item in items} == {"recovery"}
    nothing = hikeshi(
        "checklist", "show", str(incident.pk), "--phase", "recovery", "--status", "done",
        "--as", "lead",
    )  # fmt: skip
    assert nothing.stdout == "条件に合う項目はありません。\n"


def test_done_without_scope_fails_naming_scope(hikeshi: Run, incident: Incident) -> None:
    result = hikeshi(
        "checklist", "done", str(incident.pk), "28",
        "--at", "2026-11-20T10:15", "--settings", "隔離", "--as", "responder",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --scope: say which devices, accounts or systems it covered (範囲)\n"
    )
    assert _item(incident, "matrix:28").status == ItemStatus.TODO
    assert not ActionRecord.objects.filter(incident=incident, checklist_item_ref="matrix:28")


def test_done_without_settings_or_time_names_them(hikeshi: Run, incident: Incident) -> None:
    no_settings = hikeshi(
        "checklist", "done", str(incident.pk), "28",
        "--at", "2026-11-20T10:15", "--scope", "PC-01", "--as", "responder",
    )  # fmt: skip
    assert no_settings.exit_code == 1
    assert no_settings.stderr.startswith("Error: --settings: ")
    no_time = hikeshi(
        "checklist", "done", str(incident.pk), "28",
        "--scope", "PC-01", "--settings", "隔離", "--as", "responder",
    )  # fmt: skip
    assert no_time.exit_code == 1
    assert no_time.stderr.startswith("Error: --at: say when it was done")


def test_done_with_all_three_succeeds_and_records_the_action(
    hikeshi: Run, incident: Incident, responder: User
) -> None:
    result = _done(hikeshi, incident, "28", "--note", "電源は入れたまま")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Marked item 28 done in incident #{incident.pk}: マルウェアは削除せず隔離\n"
    )
    item = _item(incident, "matrix:28")
    assert item.status == ItemStatus.DONE
    # A time without an offset is read in the incident's time zone.
    assert item.performed_at == datetime(2026, 11, 20, 10, 15, tzinfo=TOKYO)
    record = ActionRecord.objects.get(incident=incident, checklist_item_ref="matrix:28")
    assert (record.kind, record.actor) == ("checklist.done", responder)
    assert (record.scope, record.note) == ("PC-01（192.168.10.21）", "電源は入れたまま")
    assert record.settings_text == "検体をパスワード付き ZIP で隔離フォルダへ"
    incident.refresh_from_db()
    assert verify_incident(incident) == []


def test_done_by_key_and_by_number(hikeshi: Run, incident: Incident) -> None:
    by_key = _done(hikeshi, incident, DECRYPTOR, "--json")
    assert by_key.exit_code == 0, by_key.output
    data = json.loads(by_key.stdout)
    assert (data["key"], data["status"]) == (DECRYPTOR, "done")
    assert data["performed_at"] == "2026-11-20T10:15:00+09:00"
    assert data["scope"] == "PC-01（192.168.10.21）"
    by_matrix_key = _done(hikeshi, incident, "matrix:50")
    by_number = _done(hikeshi, incident, "51")
    assert by_matrix_key.exit_code == by_number.exit_code == 0
    refs = set(ActionRecord.objects.filter(kind="checklist.done").values_list(
        "checklist_item_ref", flat=True
    ))  # fmt: skip
    assert refs == {DECRYPTOR, "matrix:50", "matrix:51"}


def test_done_by_database_id(hikeshi: Run, incident: Incident) -> None:
    item = _item(incident, "matrix:29")
    assert _done(hikeshi, incident, f"#{item.pk}").exit_code == 0
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE


def test_an_offset_in_at_is_kept(hikeshi: Run, incident: Incident) -> None:
    result = hikeshi(
        "checklist", "done", str(incident.pk), "28", "--at", "2026-11-20T01:15Z",
        "--scope", "PC-01", "--settings", "隔離", "--as", "responder",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _item(incident, "matrix:28").performed_at == datetime(2026, 11, 20, 10, 15, tzinfo=TOKYO)


def test_at_now_means_now(hikeshi: Run, incident: Incident) -> None:
    before = datetime.now(TOKYO)
    result = hikeshi(
        "checklist", "done", str(incident.pk), "28", "--at", "now",
        "--scope", "PC-01", "--settings", "隔離", "--as", "responder",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    performed_at = _item(incident, "matrix:28").performed_at
    assert performed_at is not None
    assert performed_at >= before


def test_a_malformed_at_is_a_usage_error(hikeshi: Run, incident: Incident) -> None:
    result = _done(hikeshi, incident, "28", "--at", "昨日")
    assert result.exit_code == 2
    assert "--at '昨日': not a date and time" in result.stderr


def test_an_unknown_number_says_which_matrix_items_exist(hikeshi: Run, incident: Incident) -> None:
    result = _done(hikeshi, incident, "99")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: no item 99 in incident {incident.pk}'s checklist (matrix items here: 1-"
    )
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_matrix_item_of_another_type_is_not_in_the_checklist(
    hikeshi: Run, incident: Incident
) -> None:
    result = _done(hikeshi, incident, "49")
    assert result.exit_code == 1
    assert "no item 49 in incident" in result.stderr
    assert "48, 50" in result.stderr or "-48, 50" in result.stderr


def test_a_mistyped_key_suggests_the_close_one(hikeshi: Run, incident: Incident) -> None:
    result = _done(hikeshi, incident, DECRYPTOR.replace("decryptor", "decrypter"))
    assert result.exit_code == 1
    assert f"did you mean {DECRYPTOR!r}?" in result.stderr


def test_an_item_of_another_incident_is_not_found_by_id(
    hikeshi: Run, incident: Incident, lead: User
) -> None:
    other = open_incident(
        lead,
        IncidentInput(
            title="別件", detected_at=datetime(2026, 11, 21, 9, 0, tzinfo=TOKYO), types=["apt"]
        ),
    )
    foreign = _item(other, "matrix:41")
    result = _done(hikeshi, incident, f"#{foreign.pk}")
    assert result.exit_code == 1
    assert f"no item #{foreign.pk} in incident {incident.pk}'s checklist" in result.stderr
    foreign.refresh_from_db()
    assert foreign.status == ItemStatus.TODO


def test_an_item_that_is_neither_number_nor_key_is_a_usage_error(
    hikeshi: Run, incident: Incident
) -> None:
    result = _done(hikeshi, incident, "malware")
    assert result.exit_code == 2
    assert "ITEM 'malware' is not a matrix number" in result.stderr


def test_na_needs_a_reason(hikeshi: Run, incident: Incident) -> None:
    refused = hikeshi("checklist", "na", str(incident.pk), "74", "--as", "responder")
    assert refused.exit_code == 1
    assert refused.stderr == "Error: --reason: say why this item does not apply\n"
    assert _item(incident, "matrix:74").status == ItemStatus.TODO
    done = hikeshi(
        "checklist", "na", str(incident.pk), "74", "--reason", "被害届は別途検討済み",
        "--as", "responder", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert (data["status"], data["not_applicable_reason"]) == (
        "not_applicable",
        "被害届は別途検討済み",
    )
    record = ActionRecord.objects.get(incident=incident, kind="checklist.not_applicable")
    assert (record.checklist_item_ref, record.note) == ("matrix:74", "被害届は別途検討済み")


def test_start_sets_in_progress_and_a_closed_item_needs_reopen(
    hikeshi: Run, incident: Incident
) -> None:
    started = hikeshi("checklist", "start", str(incident.pk), "50", "--as", "responder")
    assert started.exit_code == 0, started.output
    assert _item(incident, "matrix:50").status == ItemStatus.IN_PROGRESS
    assert _done(hikeshi, incident, "50").exit_code == 0
    closed = hikeshi("checklist", "start", str(incident.pk), "50", "--as", "responder")
    assert closed.exit_code == 1
    assert closed.stderr == "Error: item 50 is done; add --reopen to work on it again\n"
    reopened = hikeshi(
        "checklist", "start", str(incident.pk), "50", "--reopen", "--as", "responder"
    )
    assert reopened.exit_code == 0, reopened.output
    assert _item(incident, "matrix:50").status == ItemStatus.IN_PROGRESS


def test_assign_to_a_responder_and_clear_with_a_dash(hikeshi: Run, incident: Incident) -> None:
    assigned = hikeshi(
        "checklist", "assign", str(incident.pk), "51", "responder", "--as", "lead", "--json"
    )
    assert assigned.exit_code == 0, assigned.output
    assert json.loads(assigned.stdout)["assignee"] == "responder"
    record = ActionRecord.objects.get(incident=incident, kind="checklist.assigned")
    assert (record.checklist_item_ref, record.settings_text) == ("matrix:51", "assignee=responder")
    cleared = hikeshi("checklist", "assign", str(incident.pk), "51", "-", "--as", "lead")
    assert cleared.exit_code == 0, cleared.output
    assert _item(incident, "matrix:51").assignee is None


def test_assign_refuses_a_viewer_and_an_unknown_user(hikeshi: Run, incident: Incident) -> None:
    viewer = hikeshi("checklist", "assign", str(incident.pk), "51", "viewer", "--as", "lead")
    assert viewer.exit_code == 1
    assert viewer.stderr == "Error: viewer: assign a lead or responder of this incident\n"
    nobody = hikeshi("checklist", "assign", str(incident.pk), "51", "nobody", "--as", "lead")
    assert nobody.exit_code == 1
    assert "no user named 'nobody'" in nobody.stderr


def test_a_viewer_may_show_but_not_change_the_checklist(hikeshi: Run, incident: Incident) -> None:
    result = _done(hikeshi, incident, "28", "--as", "viewer")
    assert result.exit_code == 1
    assert f"viewer may only view incident #{incident.pk}" in result.stderr
    assert _item(incident, "matrix:28").status == ItemStatus.TODO


def test_an_outsider_cannot_see_the_checklist(
    hikeshi: Run, incident: Incident, outsider: User
) -> None:
    result = hikeshi("checklist", "show", str(incident.pk), "--as", "outsider")
    assert result.exit_code == 1
    assert f"no incident #{incident.pk} that outsider takes part in" in result.stderr


def test_the_cli_choices_match_the_model() -> None:
    assert [phase.value for phase in Phase] == list(ChecklistPhase.values)
    assert [status.value for status in Status] == list(STATUS_FILTERS)
    assert set(STATUS_FILTERS) == {"open", *ItemStatus.values}
    assert [r.value for r in Requirement] == list(ModelRequirement.values)


def test_show_filters_by_assignee_requirement_and_search(hikeshi: Run, incident: Incident) -> None:
    assigned = hikeshi("checklist", "assign", str(incident.pk), "51", "responder", "--as", "lead")
    assert assigned.exit_code == 0, assigned.output

    def keys(*options: str, as_user: str = "lead") -> list[str]:
        result = hikeshi("checklist", "show", str(incident.pk), "--json", "--as", as_user, *options)
        assert result.exit_code == 0, result.output
        return [item["key"] for item in json.loads(result.stdout)["items"]]

    assert keys("--assignee", "responder") == ["matrix:51"]
    assert keys("--assignee", "mine", as_user="responder") == ["matrix:51"]
    assert keys("--assignee", "mine") == []
    assert "matrix:51" not in keys("--assignee", "unassigned")
    conditional = keys("--requirement", "conditional")
    assert conditional and "matrix:28" not in conditional
    isolate = keys("--search", "削除せず 隔離")
    assert "matrix:28" in isolate and "matrix:50" not in isolate
    assert keys("--status", "open", "--phase", "initial")[0] == "matrix:1"
    assert keys("--no-longer-applies") == []
