"""Generated calls to every route of /api/v1/openapi.json: never a 5xx, and every answer
matches the document (schemathesis, through the WSGI application itself)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hikeshi.accounts.models import ApiToken
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident
from hikeshi.web.wsgi import application

# The document as the running application serves it (read once, while tests are collected:
# serving it needs no database). One test per operation follows from it.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """Keep the test's database connection open across calls into the WSGI application.

    Each request ends with Django closing old connections; within a test that would close
    the connection holding the test's transaction (Django's own test client does the same).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(site_admin: User) -> str:
    """Return a site administrator's token: every route answers them, writes included."""
    _, raw = ApiToken.issue(site_admin, "schemathesis")
    return raw


def _existing_ids(incident: Incident) -> dict[str, Any]:
    """Return ids of records that exist, so that calls reach past the 404 of a random id."""
    item = ChecklistItem.objects.filter(incident=incident).order_by("position").first()
    action = ActionRecord.objects.filter(incident=incident).order_by("sequence").first()
    assert item is not None and action is not None
    return {"incident_id": incident.pk, "item_id": item.pk, "action_id": action.pk}


@schema.parametrize()
@settings(
    # Bounded and repeatable: about 40 operations, the whole run well under a minute.
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_document_says(
    case: Case, admin_token: str, incident: Incident, connection_kept: None
) -> None:
    if case.path_parameters:
        existing = _existing_ids(incident)
        for name in case.path_parameters:
            if name in existing:
                case.path_parameters[name] = existing[name]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
