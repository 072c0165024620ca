"""Contacts as data: every body the seeds name, reachable, sourced and free of typo domains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hikeshi.datafiles.loading import DataFileError
from hikeshi.guidance.contacts import (
    DEPLOYMENT_KINDS,
    TYPO_HOSTS,
    ContactKind,
    ContactsFile,
    load_contacts,
)

DATA = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "guidance" / "data"
SEED_003 = "003_7dee297e07602b1d.txt"


@pytest.fixture(scope="module")
def contacts() -> ContactsFile:
    return load_contacts(DATA)


def _write(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    (tmp_path / "contacts.yaml").write_text(
        yaml.safe_dump({"contacts": entries}, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


def _contact(**overrides: Any) -> dict[str, Any]:
    text = {"ja": "テスト", "en": "test"}
    entry: dict[str, Any] = {
        "id": "sample",
        "kind": "reference",
        "organisation": text,
        "name": text,
        "purpose": text,
        "when_to_use": text,
        "sources": [SEED_003],
    }
    entry.update(overrides)
    return entry


def test_every_shipped_contact_names_the_seeds_it_comes_from(contacts: ContactsFile) -> None:
    assert len(contacts.contacts) >= 40
    for contact in contacts.contacts:
        assert contact.sources, contact.id
        assert not contact.kind.is_deployment, contact.id


def test_every_text_has_japanese_and_english(contacts: ContactsFile) -> None:
    for contact in contacts.contacts:
        for text in (contact.organisation, contact.name, contact.purpose, contact.when_to_use):
            assert text.ja.strip() and text.en.strip(), contact.id


def test_no_contact_url_uses_the_typo_domain(contacts: ContactsFile) -> None:
    for contact in contacts.contacts:
        for url in contact.urls:
            assert url.host not in TYPO_HOSTS, contact.id
            assert "jpccert" not in str(url).lower(), contact.id


def test_typo_domains_from_the_seeds_are_corrected_with_a_reason(contacts: ContactsFile) -> None:
    corrected = {
        contact.id: correction
        for contact in contacts.contacts
        for correction in contact.url_corrections
    }
    log_analysis = corrected["jpcert_apt_log_analysis"]
    assert log_analysis.seen == "https://www.jpccert.or.jp/research/apt-loganalysis.html"
    assert str(log_analysis.corrected) == "https://www.jpcert.or.jp/research/apt-loganalysis.html"
    assert "jpccert.or.jp" in log_analysis.reason.ja
    manual = corrected["jpcert_incident_handling_manual"]
    assert manual.corrected.host == "www.jpcert.or.jp"
    assert corrected["jpcert_incident_response"].seen == "https://www.jpCERT.or.jp/form/"


def test_contact_with_the_typo_domain_is_rejected_with_its_id(tmp_path: Path) -> None:
    entry = _contact(id="bad_link", urls=["https://www.jpccert.or.jp/form/"])
    with pytest.raises(DataFileError) as error:
        load_contacts(_write(tmp_path, [entry]))
    assert "id=bad_link" in str(error.value)
    assert "look-alike" in str(error.value)


def test_mixed_case_host_name_is_rejected(tmp_path: Path) -> None:
    entry = _contact(urls=["https://www.jpCERT.or.jp/form/"])
    with pytest.raises(DataFileError, match="lower case"):
        load_contacts(_write(tmp_path, [entry]))


def test_jpcert_phone_drops_the_phone_icon_digit_and_says_so(contacts: ContactsFile) -> None:
    jpcert = contacts.get("jpcert_incident_response")
    phone = jpcert.phones[0]
    assert phone.number == "03-6271-8901"
    assert phone.inferred
    assert phone.note is not None and "203-6271-8901" in phone.note.ja
    assert [str(url) for url in jpcert.urls] == ["https://www.jpcert.or.jp/form/"]


def test_tokyo_police_numbers_are_read_from_the_garbled_slide(contacts: ContactsFile) -> None:
    cyber = contacts.get("tokyo_mpd_cyber_crime")
    assert cyber.organisation.ja == "警視庁"
    assert cyber.phones[0].number == "03-5805-1731"
    assert all(p.inferred and p.note for p in cyber.phones)
    assert str(cyber.urls[0]) == "http://www.keishicho.metro.tokyo.jp/kurashi/cyber/"
    switchboard = contacts.get("tokyo_mpd_switchboard").phones[0]
    assert switchboard.number == "03-3581-4321"
    assert switchboard.label is not None and switchboard.label.ja == "代表"


def test_bodies_of_the_quick_list_are_present_with_their_pages(contacts: ContactsFile) -> None:
    expected = {
        "antiphishing_council": "https://www.antiphishing.jp/",
        "dekyo_spam_consultation": "https://www.dekyo.or.jp/soudan/index.html",
        "narisumashi_ec_council": "https://www.saferinternet.or.jp/narisumashi/",
        "ihaho_consultation_center": "http://ihaho.jp/",
        "kokusen_consumer_hotline": "http://www.kokusen.go.jp/map/",
        "ipa_service_list": "https://www.ipa.go.jp/security/it-service/service_list.html",
        "jpcert_emotet_alert": "https://www.jpcert.or.jp/at/2019/at190044.html",
    }
    for contact_id, url in expected.items():
        contact = contacts.get(contact_id)
        assert str(contact.urls[0]) == url
        assert SEED_003 in contact.sources
    assert contacts.get("moj_human_rights_110").name.ja == "みんなの人権110番"


def test_public_bodies_of_the_sme_handbook_are_present(contacts: ContactsFile) -> None:
    ipa = contacts.get("ipa_security_consultation")
    assert ipa.mail == ["cs-support@ipa.go.jp"]
    assert contacts.get("ppc_leak_response").kind is ContactKind.REGULATOR
    assert contacts.get("ppc_gdpr").urls[0].path == "/enforcement/infoprovision/laws/GDPR/"
    assert contacts.get("jipdec_privacy_mark_accident").kind is ContactKind.CERTIFICATION_BODY
    notification = contacts.get("ipa_virus_intrusion_notification")
    assert str(notification.urls[0]).endswith("/todokede/crack-virus/about.html")
    assert contacts.get("jnsa_emergency_response").kind is ContactKind.VENDOR_LIST


def test_deployment_kinds_cover_vendor_insurer_lawyer_and_own_police() -> None:
    assert {"system_vendor", "insurer", "lawyer", "local_police"} <= set(DEPLOYMENT_KINDS)
    assert not ContactKind.PUBLIC_BODY.is_deployment


def test_shipped_file_may_not_hold_a_deployment_contact(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="entered per deployment"):
        load_contacts(_write(tmp_path, [_contact(kind="insurer")]))


def test_inferred_contact_without_a_note_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"id=sample.*note"):
        load_contacts(_write(tmp_path, [_contact(inferred=True)]))


def test_repeated_contact_id_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="'sample' appears twice"):
        load_contacts(_write(tmp_path, [_contact(), _contact()]))
