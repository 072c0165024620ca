"""The test app's panel: a count drawn from the incident, shown to those who may write."""

from __future__ import annotations

from collections.abc import Mapping

from hikeshi.incidents.panels import Panel, PanelContext


def evidence_context(context: PanelContext) -> Mapping[str, object]:
    return {"held_for": context.incident.title, "reader": context.user.get_username()}


def for_writers(context: PanelContext) -> bool:
    return context.can_write


EVIDENCE_PANEL = Panel(
    key="test-evidence",
    title="証拠品（テスト）",
    template="panel_app/_evidence.html",
    context=evidence_context,
    order=15,
    visible=for_writers,
)
