"""The incident record: incidents, memberships, action records, checklist, timeline events."""

from hikeshi.incidents.models.action import ActionRecord
from hikeshi.incidents.models.checklist import ChecklistComment, ChecklistItem
from hikeshi.incidents.models.incident import Incident, IncidentTypeTag
from hikeshi.incidents.models.membership import Membership
from hikeshi.incidents.models.timeline import TimelineEvent

__all__ = [
    "ActionRecord",
    "ChecklistComment",
    "ChecklistItem",
    "Incident",
    "IncidentTypeTag",
    "Membership",
    "TimelineEvent",
]
