"""The directory's routes: the global pages, and an incident's consultation and contacts.

The incident routes stay under /incidents/<incident_id>/ and check membership like every
incident route (tests/test_outsider_access.py enumerates them).
"""

from django.urls import URLPattern, path

from hikeshi.directory.views import consultation, contacts, incident_contacts

app_name = "directory"
urlpatterns: list[URLPattern] = [
    path("consult/", consultation.consult_page, name="consult"),
    path("contacts/", contacts.contact_directory, name="contacts"),
    path(
        "incidents/<int:incident_id>/consult/",
        consultation.incident_consult_page,
        name="incident_consult",
    ),
    path(
        "incidents/<int:incident_id>/contacts/",
        incident_contacts.add_contact,
        name="add_contact",
    ),
]
