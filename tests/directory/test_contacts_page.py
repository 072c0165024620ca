"""The contacts page: every contact, searchable, and the organisation's own kept by admins."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hikeshi.directory.models import DeploymentContact
from hikeshi.incidents.models import Incident


def _section(page: str, start: str) -> str:
    begin = page.index(start)
    return page[begin : page.index("</section>", begin)]


def test_the_guidance_contacts_are_listed_by_kind(lead_client: Client) -> None:
    page = lead_client.get(reverse("directory:contacts")).text

    police = _section(page, 'id="kind-police"')
    assert "<h2>警察</h2>" in police and "警視庁" in police
    centre = _section(page, 'id="kind-coordination_center"')
    assert "03-6271-8901" in centre and "推定" in centre
    assert 'rel="noopener noreferrer"' in page
    assert "自組織の連絡先はまだ登録されていません。" in page


def test_search_finds_contacts_in_either_language(lead_client: Client) -> None:
    japanese = lead_client.get(reverse("directory:contacts"), {"q": "フィッシング"}).text
    english = lead_client.get(reverse("directory:contacts"), {"q": "phishing council"}).text

    for page in (japanese, english):
        assert "フィッシング対策協議会" in page
        assert "個人情報保護委員会" not in page
    assert 'value="フィッシング"' in japanese


def test_the_organisations_contacts_are_listed_by_kind(
    lead_client: Client, site_admin: User
) -> None:
    DeploymentContact.objects.create(
        kind="insurer",
        name="サイバー保険 事故受付",
        organisation="サンプル損害保険",
        phone="0120-111-111",
        note="証券番号 ABC-123",
        created_by=site_admin,
    )
    own = _section(lead_client.get(reverse("directory:contacts")).text, 'id="own"')
    assert "<h3>サイバー保険会社</h3>" in own
    assert "サイバー保険 事故受付" in own and "tel:0120-111-111" in own
    assert "証券番号 ABC-123" in own


def test_only_site_admins_get_the_form_and_may_post(lead_client: Client) -> None:
    page = lead_client.get(reverse("directory:contacts")).text
    assert 'name="kind"' not in page
    response = lead_client.post(
        reverse("directory:contacts"), {"kind": "lawyer", "name": "x", "phone": "1"}
    )
    assert response.status_code == 403
    assert not DeploymentContact.objects.exists()


def test_a_site_admin_adds_a_contact_of_the_organisation(
    admin_client: Client, site_admin: User
) -> None:
    client = admin_client
    assert 'name="kind"' in client.get(reverse("directory:contacts")).text

    response = client.post(
        reverse("directory:contacts"),
        {
            "kind": "local_police",
            "name": "サンプル警察署 生活安全課",
            "phone": "03-0000-0110",
            "url": "https://police.example.jp/",
            "note": "サイバー犯罪の相談",
        },
        follow=True,
    )

    contact = DeploymentContact.objects.get()
    assert (contact.kind, contact.created_by) == ("local_police", site_admin)
    assert "サンプル警察署 生活安全課 を連絡先に追加しました。" in response.text


def test_a_contact_without_a_name_or_a_way_to_reach_it_is_refused_on_the_field(
    admin_client: Client,
) -> None:
    client = admin_client
    no_name = client.post(
        reverse("directory:contacts"), {"kind": "lawyer", "phone": "03-0000-0000"}
    )
    no_way = client.post(
        reverse("directory:contacts"), {"kind": "lawyer", "name": "サンプル法律事務所"}
    )

    assert no_name.status_code == no_way.status_code == 400
    assert "名前</a>: 名前を入力してください。" in no_name.text
    assert "電話</a>: 電話番号・メールアドレス・ウェブページのいずれかを入力してください。" in (
        no_way.text
    )
    assert 'value="サンプル法律事務所"' in no_way.text
    assert not DeploymentContact.objects.exists()


def test_the_header_leads_to_incidents_consultation_and_contacts(lead_client: Client) -> None:
    page = lead_client.get(reverse("directory:contacts")).text
    nav = page[page.index('class="site-nav"') : page.index("</nav>")]
    assert ">インシデント</a>" in nav and ">相談先</a>" in nav
    assert 'class="is-current">連絡先</a>' in nav


def test_the_new_pages_need_no_inline_code(lead_client: Client, incident: Incident) -> None:
    for url in (
        reverse("directory:contacts"),
        reverse("directory:consult") + "?a=security_breach&a=emotet_signs",
        reverse("directory:incident_consult", kwargs={"incident_id": incident.pk}),
        reverse("incidents:checklist", kwargs={"incident_id": incident.pk}),
    ):
        page = lead_client.get(url).text
        assert " style=" not in page and "<style" not in page, url
        assert "<script>" not in page and " onclick=" not in page, url
