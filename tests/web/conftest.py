"""Fixtures for the page tests: signed-in clients and the addresses of the shared incident."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from hikeshi.incidents.models import Incident

IncidentUrl = Callable[..., str]


@pytest.fixture
def url_of(incident: Incident) -> IncidentUrl:
    """Return a function giving the address of one of the shared incident's routes."""

    def url(name: str, **kwargs: Any) -> str:
        return reverse(f"incidents:{name}", kwargs={"incident_id": incident.pk, **kwargs})

    return url


class Clock:
    """Time as hikeshi and django-axes read it, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@contextmanager
def controlled_clock(start: datetime) -> Iterator[Clock]:
    """Hold the time at ``start`` until the clock is advanced, for hikeshi and axes."""
    controlled = Clock(start)
    # axes stamps each request with its own import of now(); hikeshi reads timezone.now().
    with (
        mock.patch("axes.handlers.proxy.now", lambda: controlled.now),
        mock.patch("django.utils.timezone.now", lambda: controlled.now),
    ):
        yield controlled
