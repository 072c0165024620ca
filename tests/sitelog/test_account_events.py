"""Every account write hikeshi offers records its site log entry, in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.sitelog.conftest import Run, kinds

from hikeshi.accounts.models import ApiToken
from hikeshi.sitelog.audit import verify_site_log
from hikeshi.sitelog.models import SiteLogEntry

NEW_PASSWORD = "藍色の消防車が三台走る 2026"


def _only(kind: str) -> SiteLogEntry:
    (entry,) = SiteLogEntry.objects.filter(kind=kind)
    return entry


def _admin_client(user: User, address: str = "192.0.2.44") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


# The command line


def test_creating_a_user_on_the_command_line_is_recorded(hikeshi: Run) -> None:
    result = hikeshi("user", "create", "sato")
    assert result.exit_code == 0, result.output
    entry = _only("user_created")
    assert entry.subject == "sato"
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.client_address is None
    assert entry.detail["via"] == "cli"
    assert entry.detail["site_admin"] is False
    assert entry.detail["password"] == "generated"
    assert entry.detail["system_user"]
    assert result.stdout.strip() not in str(entry.detail)  # never the password
    assert verify_site_log() is None


def test_creating_an_administrator_with_a_chosen_password_is_recorded(hikeshi: Run) -> None:
    result = hikeshi(
        "user", "create", "chief", "--admin", "--password-stdin", input="long enough pass 77\n"
    )
    assert result.exit_code == 0, result.output
    entry = _only("user_created")
    assert (entry.subject, entry.detail["site_admin"], entry.detail["password"]) == (
        "chief",
        True,
        "chosen",
    )
    assert "long enough pass 77" not in str(entry.detail)


def test_a_refused_user_creation_records_nothing(hikeshi: Run, lead: User) -> None:
    assert hikeshi("user", "create", "weak", "--password-stdin", input="12345\n").exit_code == 1
    assert hikeshi("user", "create", "lead").exit_code == 1
    assert kinds() == []


def test_init_records_the_first_administrator_once(hikeshi: Run) -> None:
    assert hikeshi("init").exit_code == 0
    assert hikeshi("init").exit_code == 0
    entry = _only("user_created")
    assert entry.subject == "admin"
    assert entry.detail["via"] == "init"
    assert entry.detail["site_admin"] is True


def test_issuing_and_revoking_a_token_are_recorded_without_the_token(
    hikeshi: Run, lead: User
) -> None:
    issued = hikeshi("user", "token", "lead", "--name", "SIEM 連携")
    assert issued.exit_code == 0, issued.output
    raw_token = issued.stdout.strip()
    token = ApiToken.objects.get(user=lead)
    revoked = hikeshi("user", "revoke-token", token.prefix)
    assert revoked.exit_code == 0, revoked.output

    assert kinds() == ["api_token_issued", "api_token_revoked"]
    for entry in SiteLogEntry.objects.all():
        assert entry.subject == "lead"
        assert entry.detail["token_name"] == "SIEM 連携"
        assert entry.detail["token_prefix"] == token.prefix
        assert raw_token not in str(entry.detail)
        assert token.token_hash not in str(entry.detail)
    assert verify_site_log() is None


def test_revoking_an_unknown_token_records_nothing(hikeshi: Run, lead: User) -> None:
    assert hikeshi("user", "revoke-token", "hks_nope").exit_code == 1
    assert kinds() == []


# The Django admin


def test_adding_a_user_in_the_admin_is_recorded_with_who_and_where(site_admin: User) -> None:
    client = _admin_client(site_admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "suzuki",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content
    entry = _only("user_created")
    assert entry.subject == "suzuki"
    assert entry.actor == site_admin
    assert entry.client_address == "192.0.2.44"
    assert entry.detail == {"via": "admin", "site_admin": False, "password": "chosen"}


def _change(client: Client, user: User, **changes: object) -> None:
    """Post the admin's change form for ``user`` with ``changes`` over its current values."""
    form = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
    }
    form.update({key: value for key, value in changes.items()})
    data = {key: value for key, value in form.items() if value != ""}
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_deactivating_and_reactivating_in_the_admin_are_recorded(
    site_admin: User, responder: User
) -> None:
    client = _admin_client(site_admin)
    _change(client, responder, is_active="")
    responder.refresh_from_db()
    assert not responder.is_active
    _change(client, responder, is_active="on")
    assert kinds() == ["user_deactivated", "user_reactivated"]
    assert set(SiteLogEntry.objects.values_list("subject", flat=True)) == {"responder"}
    assert verify_site_log() is None


def test_granting_and_removing_site_admin_rights_are_recorded(
    site_admin: User, responder: User
) -> None:
    client = _admin_client(site_admin)
    _change(client, responder, is_superuser="on", is_staff="on")
    responder.refresh_from_db()
    _change(client, responder, is_superuser="")
    assert kinds() == ["user_changed", "site_admin_granted", "site_admin_removed"]
    changed = _only("user_changed")
    assert changed.detail == {"via": "admin", "fields": "is_staff", "staff": True}


def test_renaming_an_account_records_the_old_and_new_names(
    site_admin: User, responder: User
) -> None:
    _change(_admin_client(site_admin), responder, username="responder2", email="r2@example.org")
    entry = _only("user_changed")
    assert entry.subject == "responder2"
    assert entry.detail == {
        "via": "admin",
        "fields": "email, username",
        "previous_username": "responder",
    }


def test_saving_the_form_unchanged_records_nothing(site_admin: User, responder: User) -> None:
    _change(_admin_client(site_admin), responder)
    assert kinds() == []


def test_setting_a_password_in_the_admin_is_recorded_without_it(
    site_admin: User, responder: User
) -> None:
    client = _admin_client(site_admin)
    url = reverse("admin:auth_user_password_change", args=[responder.pk])
    response = client.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    responder.refresh_from_db()
    assert responder.check_password(NEW_PASSWORD)
    entry = _only("password_set_by_admin")
    assert (entry.subject, entry.actor) == ("responder", site_admin)
    assert entry.detail == {"via": "admin", "password_usable": True}
    assert NEW_PASSWORD not in str(entry.detail)


def test_disabling_password_sign_in_in_the_admin_is_recorded(
    site_admin: User, responder: User
) -> None:
    client = _admin_client(site_admin)
    url = reverse("admin:auth_user_password_change", args=[responder.pk])
    response = client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302
    assert _only("password_set_by_admin").detail["password_usable"] is False


def test_a_refused_password_in_the_admin_records_nothing(site_admin: User, responder: User) -> None:
    client = _admin_client(site_admin)
    url = reverse("admin:auth_user_password_change", args=[responder.pk])
    response = client.post(
        url, {"usable_password": "true", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 200  # the form again, with the reason
    assert client.get(url).status_code == 200
    assert kinds() == []


def test_deleting_a_user_in_the_admin_is_recorded(site_admin: User, outsider: User) -> None:
    client = _admin_client(site_admin)
    response = client.post(reverse("admin:auth_user_delete", args=[outsider.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="outsider").exists()
    assert _only("user_deleted").subject == "outsider"


def test_bulk_deletion_in_the_admin_records_each_user(
    site_admin: User, outsider: User, viewer: User
) -> None:
    client = _admin_client(site_admin)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [outsider.pk, viewer.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert sorted(SiteLogEntry.objects.values_list("subject", flat=True)) == [
        "outsider",
        "viewer",
    ]
    assert kinds() == ["user_deleted", "user_deleted"]
    assert verify_site_log() is None


def test_an_account_that_acted_cannot_be_deleted_out_of_the_log(
    site_admin: User, outsider: User
) -> None:
    client = _admin_client(site_admin)
    # site_admin deletes outsider: now site_admin is an actor in the log.
    client.post(reverse("admin:auth_user_delete", args=[outsider.pk]), {"post": "yes"})
    other = User.objects.create_superuser("other", "other@example.org", NEW_PASSWORD)
    page = _admin_client(other).get(reverse("admin:auth_user_delete", args=[site_admin.pk]))
    # The admin lists the protected entries instead of offering the deletion.
    assert page.status_code == 200
    assert page.context["protected"]
    assert User.objects.filter(pk=site_admin.pk).exists()


def test_the_site_log_is_read_only_in_the_admin(site_admin: User, outsider: User) -> None:
    client = _admin_client(site_admin)
    client.post(reverse("admin:auth_user_delete", args=[outsider.pk]), {"post": "yes"})
    entry = _only("user_deleted")
    assert client.get(reverse("admin:sitelog_sitelogentry_changelist")).status_code == 200
    change = client.post(
        reverse("admin:sitelog_sitelogentry_change", args=[entry.pk]), {"subject": "x"}
    )
    delete = client.post(
        reverse("admin:sitelog_sitelogentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    add = client.get(reverse("admin:sitelog_sitelogentry_add"))
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert verify_site_log() is None
