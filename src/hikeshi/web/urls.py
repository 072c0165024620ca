"""The site's URL map: pages, the REST API, admin, language switch."""

from django.contrib import admin
from django.urls import include, path

from hikeshi.api.routes import api

urlpatterns = [
    path("", include("hikeshi.web.account_urls")),
    path("incidents/", include("hikeshi.incidents.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
