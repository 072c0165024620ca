"""The OpenAPI document and the interactive docs describe the whole API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

EXPECTED_OPERATIONS = {
    ("get", "/api/v1/incidents"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/{incident_id}"),
    ("put", "/api/v1/incidents/{incident_id}"),
    ("post", "/api/v1/incidents/{incident_id}/triage"),
    ("post", "/api/v1/incidents/{incident_id}/status"),
    ("get", "/api/v1/incidents/{incident_id}/actions"),
    ("post", "/api/v1/incidents/{incident_id}/actions"),
    ("get", "/api/v1/incidents/{incident_id}/actions/{action_id}"),
    ("get", "/api/v1/incidents/{incident_id}/timeline"),
    ("post", "/api/v1/incidents/{incident_id}/timeline"),
    ("get", "/api/v1/incidents/{incident_id}/timeline/export"),
    ("post", "/api/v1/incidents/{incident_id}/timeline/import"),
    ("get", "/api/v1/incidents/{incident_id}/jobs/{job_id}"),
    ("get", "/api/v1/incidents/{incident_id}/members"),
    ("post", "/api/v1/incidents/{incident_id}/members"),
    ("get", "/api/v1/incidents/{incident_id}/checklist"),
    ("get", "/api/v1/incidents/{incident_id}/checklist/by-key/{key}"),
    ("get", "/api/v1/incidents/{incident_id}/checklist/{item_id}"),
    ("post", "/api/v1/incidents/{incident_id}/checklist/{item_id}/done"),
    ("post", "/api/v1/incidents/{incident_id}/checklist/{item_id}/not-applicable"),
    ("post", "/api/v1/incidents/{incident_id}/checklist/{item_id}/start"),
    ("post", "/api/v1/incidents/{incident_id}/checklist/{item_id}/assign"),
    ("post", "/api/v1/incidents/{incident_id}/checklist/{item_id}/comments"),
    ("get", "/api/v1/incidents/{incident_id}/contacts"),
    ("post", "/api/v1/incidents/{incident_id}/contacts"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/guidance"),
    ("get", "/api/v1/guidance/items/{number}"),
    ("get", "/api/v1/guidance/incident-types"),
    ("get", "/api/v1/guidance/contacts"),
    ("get", "/api/v1/guidance/consultation/walk"),
    ("get", "/api/v1/audit/verify"),
}


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_the_document_is_served_without_a_token_and_names_the_api(
    document: dict[str, Any],
) -> None:
    assert document["info"]["title"] == "hikeshi REST API"
    assert document["info"]["version"] == "1"
    assert "Bearer" in document["info"]["description"]


def test_the_document_lists_every_route(document: dict[str, Any]) -> None:
    assert set(operations(document)) == EXPECTED_OPERATIONS


def test_action_records_offer_no_way_to_change_them(document: dict[str, Any]) -> None:
    for path, methods in document["paths"].items():
        if "/actions" in path:
            assert set(methods) <= {"get", "post"}, path
    assert "post" not in document["paths"]["/api/v1/incidents/{incident_id}/actions/{action_id}"]


def test_every_operation_is_described_and_needs_the_token(document: dict[str, Any]) -> None:
    (scheme,) = document["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for key, operation in operations(document).items():
        assert operation.get("description"), f"{key} has no description"
        assert operation.get("security"), f"{key} is not marked as needing the token"


def test_incident_routes_name_their_parameter_incident_id(document: dict[str, Any]) -> None:
    for path in document["paths"]:
        if path.startswith("/api/v1/incidents/"):
            assert path.startswith("/api/v1/incidents/{incident_id}"), path


def test_error_answers_are_documented(document: dict[str, Any]) -> None:
    put = document["paths"]["/api/v1/incidents/{incident_id}"]["put"]

    assert {"401", "403", "404", "409", "422"} <= set(put["responses"])


def test_times_are_documented_as_date_times(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    assert schemas["IncidentIn"]["properties"]["detected_at"]["format"] == "date-time"
    assert schemas["IncidentOut"]["properties"]["detected_at"]["format"] == "date-time"


def test_the_interactive_docs_are_served(db: None) -> None:
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


def test_the_docs_page_uses_local_assets_under_the_site_csp(db: None) -> None:
    response = Client().get("/api/v1/docs")
    page = response.content.decode()

    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in page
    assert "cdn.jsdelivr.net" not in page and "https://" not in page
    settings = json.loads(page.split('id="swagger-settings">')[1].split("</script>")[0])
    # Swagger UI's default badge would send the document's address to validator.swagger.io.
    assert settings["validatorUrl"] is None
    for script in re.findall(r"<script[^>]*>", page):
        assert "src=" in script or 'type="application/json"' in script, script
