"""Fixtures for the page tests: signed-in clients and the addresses of the shared incident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hikeshi.incidents.models import Incident

IncidentUrl = Callable[..., str]


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def url_of(incident: Incident) -> IncidentUrl:
    """Return a function giving the address of one of the shared incident's routes."""

    def url(name: str, **kwargs: Any) -> str:
        return reverse(f"incidents:{name}", kwargs={"incident_id": incident.pk, **kwargs})

    return url


@pytest.fixture
def lead_client(lead: User) -> Client:
    return _client_for(lead)


@pytest.fixture
def responder_client(responder: User) -> Client:
    return _client_for(responder)


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    return _client_for(viewer)
