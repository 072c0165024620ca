"""Where to consult: one question at a time, outcomes collecting, contacts added to incidents."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.directory.conftest import IncidentUrl

from hikeshi.directory.models import DeploymentContact, IncidentContact
from hikeshi.incidents.models import ActionRecord, Incident

BREACH = ["security_breach", "own_systems_attacked", "yes"]


def _consult(client: Client, answers: list[str], url: str | None = None) -> str:
    response = client.get(url or reverse("directory:consult"), {"a": answers})
    assert response.status_code == 200
    return response.text


def _between(page: str, start: str, end: str) -> str:
    begin = page.index(start)
    return page[begin : page.index(end, begin + len(start))]


def test_the_walk_starts_with_the_first_question_and_its_answers_as_links(
    lead_client: Client,
) -> None:
    page = _consult(lead_client, [])
    question = _between(page, 'id="question"', "</section>")

    assert "どのような状況ですか?" in question
    assert '<a class="answer-button" href="/consult/?a=device_trouble#question">' in question
    assert "セキュリティ侵害事象が発生している" in question
    assert "資料から復元した内容" in question  # the slide's branches were reconstructed
    assert 'class="panel outcome"' not in page


def test_answers_collect_outcomes_with_their_contacts(lead_client: Client) -> None:
    page = _consult(lead_client, BREACH)

    question = _between(page, 'id="question"', "</section>")
    assert "個人情報や特定個人情報(マイナンバー)が漏えいした" in question
    assert "?a=security_breach&amp;a=own_systems_attacked&amp;a=yes&amp;a=yes#question" in question
    ipa = _between(page, 'id="outcome-ipa_notification"', "</section>")
    assert "IPA へ届け出る" in ipa
    assert "コンピューターウイルス届出窓口" in ipa
    assert 'href="https://www.ipa.go.jp/security/todokede/crack-virus/about.html"' in ipa
    assert 'rel="noopener noreferrer"' in ipa
    jpcert = _between(page, 'id="outcome-jpcert_report"', "</section>")
    assert '<a href="tel:03-6271-8901">03-6271-8901</a>' in jpcert
    assert "連絡する場面" in jpcert and "読み取りを推定" in jpcert
    # The answers so far, each with a link that asks its question again, and a fresh start.
    answered = _between(page, 'id="answered-title"', "</section>")
    assert 'href="/consult/?a=security_breach#question">変更</a>' in answered
    assert 'href="/consult/">最初からやり直す</a>' in answered


def test_outcomes_that_name_a_guide_show_it(lead_client: Client) -> None:
    emotet = _consult(lead_client, ["security_breach", "emotet_signs"])
    finished = _consult(lead_client, [*BREACH, "no", "no", "no"])

    assert "マルウエア Emotet への対応" in emotet
    assert "Word マクロの自動実行の無効化" in emotet
    assert 'id="guide-permanent_measures"' in finished and "恒久的対策" in finished
    assert "すべての質問に答えました" in finished


def test_the_organisations_own_contacts_appear_by_kind(
    lead_client: Client, site_admin: User
) -> None:
    missing = _consult(lead_client, ["device_trouble"])
    assert "この種類の連絡先はまだ登録されていません。" in missing

    DeploymentContact.objects.create(
        kind="system_vendor",
        name="サンプル保守センター",
        phone="0120-000-000",
        created_by=site_admin,
    )
    page = _consult(lead_client, ["device_trouble"])
    assert "サンプル保守センター" in page and "tel:0120-000-000" in page


def test_answers_that_do_not_fit_the_flow_are_left_out(lead_client: Client) -> None:
    page = _consult(lead_client, ["security_breach", "nonsense", "yes"])
    assert "アドレスに含まれる回答の一部が質問に合わないため、無視しました。" in page
    assert "どのような事象ですか?" in page


def test_the_walk_is_shown_in_english_when_chosen(lead_client: Client) -> None:
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _consult(lead_client, BREACH)
    assert "Notify IPA" in page and "Where to consult" in page
    assert "Has personal data or My Number data leaked" in page


# --- per incident ------------------------------------------------------------------------


def test_a_responder_adds_an_outcomes_contact_to_the_incident(
    responder_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    page = _consult(responder_client, BREACH, url_of("directory:incident_consult"))
    ipa = _between(page, 'id="outcome-ipa_notification"', "</section>")
    assert f'action="{url_of("directory:add_contact")}"' in ipa
    assert 'name="contact" value="guidance:ipa_virus_intrusion_notification"' in ipa

    form = {
        "contact": "guidance:ipa_virus_intrusion_notification",
        "source": "outcome:ipa_notification",
        "back": "consult",
        "a": BREACH,
    }
    response = responder_client.post(url_of("directory:add_contact"), form)

    assert response.status_code == 302
    assert response["Location"] == (
        url_of("directory:incident_consult")
        + "?a=security_breach&a=own_systems_attacked&a=yes#outcome-ipa_notification"
    )
    chosen = IncidentContact.objects.get(incident=incident)
    assert chosen.guidance_contact == "ipa_virus_intrusion_notification"
    assert chosen.reason == "IPA へ届け出る"
    assert ActionRecord.objects.filter(incident=incident, kind="contact.added").count() == 1
    again = _consult(responder_client, BREACH, url_of("directory:incident_consult"))
    assert "この案件に追加済み" in _between(again, 'id="outcome-ipa_notification"', "</section>")

    responder_client.post(url_of("directory:add_contact"), form)  # twice: nothing more is recorded
    assert IncidentContact.objects.filter(incident=incident).count() == 1
    assert ActionRecord.objects.filter(incident=incident, kind="contact.added").count() == 1

    detail = responder_client.get(url_of("incidents:detail")).text
    contacts = _between(detail, 'id="contacts"', "</section>")
    assert "コンピューターウイルス届出窓口" in contacts and "IPA へ届け出る" in contacts
    assert 'href="https://www.ipa.go.jp/security/todokede/crack-virus/about.html"' in contacts


def test_the_incident_page_adds_a_contact_from_the_list_with_a_reason(
    lead_client: Client, site_admin: User, incident: Incident, url_of: IncidentUrl
) -> None:
    vendor = DeploymentContact.objects.create(
        kind="system_vendor",
        name="サンプル保守センター",
        phone="0120-000-000",
        created_by=site_admin,
    )
    page = lead_client.get(url_of("incidents:detail")).text
    assert f'<option value="deployment:{vendor.pk}">' in page
    assert '<option value="guidance:jpcert_incident_response">' in page

    response = lead_client.post(
        url_of("directory:add_contact"),
        {"contact": f"deployment:{vendor.pk}", "reason": "FS01 の復旧依頼"},
    )

    assert response["Location"] == url_of("incidents:detail") + "#contacts"
    chosen = IncidentContact.objects.get(incident=incident)
    assert (chosen.deployment_contact, chosen.reason) == (vendor, "FS01 の復旧依頼")
    contacts = _between(
        lead_client.get(url_of("incidents:detail")).text, 'id="contacts"', "</section>"
    )
    assert "サンプル保守センター" in contacts and "tel:0120-000-000" in contacts


def test_choosing_no_contact_says_so(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("directory:add_contact"), {"contact": "", "reason": "x"}, follow=True
    )
    assert "連絡先を一つ選んでください。" in response.text
    assert not IncidentContact.objects.filter(incident=incident).exists()


def test_a_viewer_reads_the_incident_walk_but_cannot_add(
    viewer_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    page = _consult(viewer_client, BREACH, url_of("directory:incident_consult"))
    assert "IPA へ届け出る" in page
    assert url_of("directory:add_contact") not in page
    response = viewer_client.post(
        url_of("directory:add_contact"), {"contact": "guidance:ipa_virus_intrusion_notification"}
    )
    assert response.status_code == 403
    assert not IncidentContact.objects.filter(incident=incident).exists()


def test_the_site_wide_walk_offers_no_incident_buttons(lead_client: Client) -> None:
    page = _consult(lead_client, BREACH)
    assert "この案件に追加" not in page
