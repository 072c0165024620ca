"""Incident pages. Every incident route takes ``incident_id``; nested objects are looked up
inside that incident (a test holds every route to this)."""

from django.urls import URLPattern, path

from hikeshi.incidents.views import (
    actions,
    audit_export,
    checklist,
    checklist_item,
    checklist_items,
    intake,
    listing,
    members,
    page,
    timeline,
    triage,
)

app_name = "incidents"
urlpatterns: list[URLPattern] = [
    path("", listing.incident_list, name="list"),
    path("new/", intake.new_incident, name="new"),
    path("<int:incident_id>/", page.incident_page, name="detail"),
    path("<int:incident_id>/edit/", intake.edit_incident, name="edit"),
    path("<int:incident_id>/triage/", triage.triage_incident, name="triage"),
    path("<int:incident_id>/status/", triage.change_status, name="status"),
    path("<int:incident_id>/panels/<slug:panel_key>/", page.panel_page, name="panel"),
    # GET: the records a page at a time; POST: record one.
    path("<int:incident_id>/actions/", actions.actions_page, name="actions"),
    path(
        "<int:incident_id>/actions/<int:action_id>/correct/",
        actions.correct_action,
        name="correct_action",
    ),
    path("<int:incident_id>/timeline/", timeline.timeline_page, name="timeline"),
    path("<int:incident_id>/timeline/events/", timeline.add_event, name="add_event"),
    path("<int:incident_id>/timeline/import/", timeline.import_timeline, name="import_timeline"),
    path(
        "<int:incident_id>/timeline/import/<int:job_id>/",
        timeline.import_job,
        name="import_job",
    ),
    # One route per language: the access test fills only integer parameters.
    path(
        "<int:incident_id>/timeline/template-ja.csv",
        timeline.import_template,
        {"language": "ja"},
        name="import_template_ja",
    ),
    path(
        "<int:incident_id>/timeline/template-en.csv",
        timeline.import_template,
        {"language": "en"},
        name="import_template_en",
    ),
    path("<int:incident_id>/timeline.csv", timeline.export_csv, name="export_csv"),
    path("<int:incident_id>/timeline.jsonl", timeline.export_jsonl, name="export_jsonl"),
    path("<int:incident_id>/audit-export.zip", audit_export.audit_export, name="audit_export"),
    path("<int:incident_id>/members/", members.add_member, name="add_member"),
    path(
        "<int:incident_id>/members/<int:user_id>/remove/",
        members.remove_member,
        name="remove_member",
    ),
    path("<int:incident_id>/checklist/", checklist.checklist_page, name="checklist"),
    path(
        "<int:incident_id>/checklist/<int:item_id>/",
        checklist_item.checklist_item_page,
        name="checklist_item",
    ),
    path(
        "<int:incident_id>/checklist/<int:item_id>/start/",
        checklist_items.start,
        name="checklist_start",
    ),
    path(
        "<int:incident_id>/checklist/<int:item_id>/reopen/",
        checklist_items.reopen,
        name="checklist_reopen",
    ),
    path(
        "<int:incident_id>/checklist/<int:item_id>/done/",
        checklist_items.mark_done,
        name="checklist_done",
    ),
    path(
        "<int:incident_id>/checklist/<int:item_id>/not-applicable/",
        checklist_items.mark_not_applicable,
        name="checklist_not_applicable",
    ),
    path(
        "<int:incident_id>/checklist/<int:item_id>/assign/",
        checklist_items.assign,
        name="checklist_assign",
    ),
    path(
        "<int:incident_id>/checklist/<int:item_id>/comments/",
        checklist_items.add_comment,
        name="checklist_comment",
    ),
]
