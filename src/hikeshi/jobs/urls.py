"""An incident's job routes, under /incidents/<incident_id>/jobs/ (see hikeshi.web.urls)."""

from django.urls import URLPattern, path

from hikeshi.jobs import views

app_name = "jobs"
urlpatterns: list[URLPattern] = [
    path("", views.jobs_page, name="list"),
    path("status.json", views.jobs_status, name="status"),
    path("<int:job_id>/cancel/", views.cancel_job, name="cancel"),
]
