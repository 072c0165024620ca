"""Sign-in, sign-out, the language choice and the home redirect."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from hikeshi.web.language import set_language_preference

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list"), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/language/", set_language_preference, name="language"),
    path(
        "preferences/password/",
        # Our own templates: the admin's registration/ ones would win by app order.
        auth_views.PasswordChangeView.as_view(
            template_name="account/password_change_form.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "preferences/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="account/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
