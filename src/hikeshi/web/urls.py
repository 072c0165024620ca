"""The site's URL map: pages, the REST API, admin, language switch."""

from django.contrib import admin
from django.urls import include, path

from hikeshi.api.routes import api
from hikeshi.incidents.views.consultation import consult_page
from hikeshi.incidents.views.contacts import contact_directory

urlpatterns = [
    path("", include("hikeshi.web.account_urls")),
    path("incidents/", include("hikeshi.incidents.urls")),
    path("consult/", consult_page, name="consult"),
    path("contacts/", contact_directory, name="contacts"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
