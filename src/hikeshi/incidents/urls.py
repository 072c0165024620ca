"""Incident pages. Every incident route takes ``incident_id``; nested objects are looked up
inside that incident (a test holds every route to this)."""

from django.urls import URLPattern, path

from hikeshi.incidents.views import actions, intake, listing, members, page, timeline, triage

app_name = "incidents"
urlpatterns: list[URLPattern] = [
    path("", listing.incident_list, name="list"),
    path("new/", intake.new_incident, name="new"),
    path("<int:incident_id>/", page.incident_page, name="detail"),
    path("<int:incident_id>/edit/", intake.edit_incident, name="edit"),
    path("<int:incident_id>/triage/", triage.triage_incident, name="triage"),
    path("<int:incident_id>/status/", triage.change_status, name="status"),
    path("<int:incident_id>/actions/", actions.record_action, name="record_action"),
    path(
        "<int:incident_id>/actions/<int:action_id>/correct/",
        actions.correct_action,
        name="correct_action",
    ),
    path("<int:incident_id>/timeline/events/", timeline.add_event, name="add_event"),
    path("<int:incident_id>/timeline/import/", timeline.import_timeline, name="import_timeline"),
    path("<int:incident_id>/timeline.csv", timeline.export_csv, name="export_csv"),
    path("<int:incident_id>/timeline.jsonl", timeline.export_jsonl, name="export_jsonl"),
    path("<int:incident_id>/members/", members.add_member, name="add_member"),
    path(
        "<int:incident_id>/members/<int:user_id>/remove/",
        members.remove_member,
        name="remove_member",
    ),
]
