"""Sign-in (with its code step), sign-out, preferences, API tokens, sign-in security."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from hikeshi.accounts.views import preferences, site_admin, tokens, two_factor
from hikeshi.accounts.views.password import PasswordChangeView
from hikeshi.accounts.views.sign_in import SignInView, sign_in_code
from hikeshi.web.language import set_language_preference

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list"), name="home"),
    path("login/", SignInView.as_view(), name="login"),
    # The admin site's own sign-in and password pages would skip the code step and the
    # password-change lock: they send people to these pages instead (the admin's URLs are
    # included after this file, so these win).
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin_login_redirect",
    ),
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="password_change"),
        name="admin_password_change_redirect",
    ),
    path("login/code/", sign_in_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("preferences/language/", set_language_preference, name="language"),
    path("preferences/password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "preferences/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="account/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("preferences/two-factor/", two_factor.enrol, name="two_factor_enrol"),
    path("preferences/two-factor/disable/", two_factor.disable, name="two_factor_disable"),
    path(
        "preferences/two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="recovery_codes",
    ),
    path("preferences/tokens/", tokens.api_tokens, name="api_tokens"),
    path(
        "preferences/tokens/<int:token_id>/revoke/",
        tokens.revoke_api_token,
        name="revoke_api_token",
    ),
    path("accounts/lockouts/", site_admin.lockouts, name="lockouts"),
    path("accounts/lockouts/clear/", site_admin.clear, name="clear_lockout"),
    path("accounts/two-factor/", site_admin.two_factor_overview, name="two_factor_overview"),
    path(
        "accounts/two-factor/<int:user_id>/reset/",
        site_admin.reset_two_factor,
        name="reset_two_factor",
    ),
]
