"""Which function does each kind of job's work: kinds register themselves, the runner looks up.

A kind's work function takes the Job and a progress reporter and returns the result summary
(plain JSON values). It reports progress with ``progress(done, total, phase)`` (or hands
``progress.callback(phase)`` to a service that takes ``on_progress(done, total)``), and calls
``progress.raise_if_cancelled()`` between batches; both are cheap enough to call per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from hikeshi.jobs.vocabulary import ProgressUnit

if TYPE_CHECKING:
    from hikeshi.jobs.models import Job
    from hikeshi.jobs.progress import ProgressReporter

# What a work function returns: the result summary, plain JSON values only.
ResultSummary = dict[str, Any]
Work = Callable[["Job", "ProgressReporter"], ResultSummary | None]


@dataclass(frozen=True)
class KindSpec:
    """A registered kind: its name for people, its work, and how its work is made safe."""

    kind: str
    label: str | Promise
    work: Work
    # True: the runner runs the work and marks the job done in one transaction, so a job
    # that fails, is cancelled or whose worker is killed leaves nothing behind. False: the
    # work manages its own transactions and must be safe to run again from the start.
    transactional: bool = True
    unit: ProgressUnit = ProgressUnit.ITEMS
    # Names for the result summary's keys (translatable), shown with the values.
    result_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    # Incident jobs are started by the incident's leads and responders; site jobs (no
    # incident) by site admins only.
    needs_incident: bool = True


_KINDS: dict[str, KindSpec] = {}


class DuplicateKind(ValueError):
    """Two different work functions were registered for one kind."""


def _same_function(first: Work, second: Work) -> bool:
    # A module loaded twice (a test helper imported by path) registers an equal function.
    return getattr(first, "__qualname__", None) == getattr(second, "__qualname__", None) and (
        getattr(first, "__module__", None) == getattr(second, "__module__", None)
    )


def register(
    kind: str,
    work: Work,
    *,
    label: str | Promise,
    transactional: bool = True,
    unit: ProgressUnit = ProgressUnit.ITEMS,
    result_labels: Mapping[str, str | Promise] | None = None,
    needs_incident: bool = True,
) -> KindSpec:
    """Return the registered kind; registering a second, different function for it fails."""
    spec = KindSpec(
        kind=kind,
        label=label,
        work=work,
        transactional=transactional,
        unit=unit,
        result_labels=dict(result_labels or {}),
        needs_incident=needs_incident,
    )
    existing = _KINDS.get(kind)
    if existing is not None and not _same_function(existing.work, work):
        raise DuplicateKind(f"job kind {kind!r} is already registered to {existing.work!r}")
    _KINDS[kind] = spec
    return spec


def registered(kind: str) -> KindSpec | None:
    """Return the kind's registration, or None when nothing here can run it."""
    return _KINDS.get(kind)


def registered_kinds() -> list[KindSpec]:
    """Return every registered kind, by name."""
    return [_KINDS[name] for name in sorted(_KINDS)]
