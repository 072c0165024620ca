"""The REST API v1 (django-ninja); OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI, Swagger

from hikeshi.api import (
    actions,
    audit,
    checklist,
    contacts,
    guidance,
    incidents,
    jobs,
    members,
    timeline,
)
from hikeshi.api.auth import ApiTokenAuth
from hikeshi.api.errors import install_error_handlers

DESCRIPTION = """\
The incident record of hikeshi (火消し), for scripts and integrations: open and triage
incidents, record what was done, build the timeline, export it.

**Authentication.** Every call needs a personal API token: `Authorization: Bearer hks_…`.
Without a valid one the answer is 401.

**Access.** You see the incidents you are a member of (site administrators see all).
Any other incident answers 404, exactly as if it did not exist. Viewers read only:
their writes answer 403.

**Times.** ISO 8601 with an offset, e.g. `2026-11-20T09:30:00+09:00`; times without one
are refused (422). Answers give times in UTC.

**Lists** come a page at a time: `limit` items (50 unless you ask, at most 200) in
`items`, then `next_cursor` and `next` (this request with `cursor` set) for the next page,
both null on the last one. Pages start after a position, not at an offset, so a deep page
costs the same as the first and nothing repeats or goes missing when items are added.

**Errors.** `{"detail": "..."}`, except 422, whose `detail` lists the invalid fields
(`loc` ends with the field name). Changes to an incident carry the `version` you read;
if someone changed it meanwhile the answer is 409: reload it and apply your change again.

**Checklist.** Each incident's checklist is generated from the guidance for its types.
Marking an item done needs when (`performed_at`), on what (`scope`) and how (`settings`),
and records an action; the guidance itself is under `/guidance`.

**Action records are append-only.** They cannot be edited or deleted; to fix one,
record a new action that `corrects` it.
"""

api = NinjaAPI(
    title="hikeshi REST API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ApiTokenAuth(),
    # Swagger UI from django-ninja's static files (ninja is an installed app), under the
    # site's CSP. Its default validator badge would send the document's address to
    # validator.swagger.io: switched off, the page talks to this site only.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)

for router in (
    incidents.router,
    actions.router,
    timeline.router,
    members.router,
    checklist.router,
    contacts.router,
    guidance.router,
    audit.router,
    jobs.router,
):
    api.add_router("", router)
