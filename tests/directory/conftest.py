"""Fixtures for the directory's tests: signed-in clients and the shared incident's addresses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.conftest import signed_in

from hikeshi.incidents.models import Incident

IncidentUrl = Callable[[str], str]


@pytest.fixture
def url_of(incident: Incident) -> IncidentUrl:
    """Return a function giving the address of a route of the shared incident by its name."""

    def url(name: str) -> str:
        return reverse(name, kwargs={"incident_id": incident.pk})

    return url


@pytest.fixture
def admin_client(site_admin: User) -> Client:
    return signed_in(site_admin)
