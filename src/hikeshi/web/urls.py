"""The site's URL map: pages, the REST API, admin, language switch."""

from django.contrib import admin
from django.urls import include, path

from hikeshi.api.routes import api
from hikeshi.sitelog.views import site_log_page

urlpatterns = [
    path("", include("hikeshi.web.account_urls")),
    path("incidents/", include("hikeshi.incidents.urls")),
    path("incidents/<int:incident_id>/jobs/", include("hikeshi.jobs.urls")),
    # /consult/, /contacts/ and the incident's /incidents/<id>/consult/ and contacts/.
    path("", include("hikeshi.directory.urls")),
    path("site-log/", site_log_page, name="site_log"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
