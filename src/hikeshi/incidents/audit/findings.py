"""What verification reports: one finding per thing that does not hold, as one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """Something in the record that does not hold, and where."""

    incident_id: int | None
    reason: str
    sequence: int | None = None
    record_id: int | None = None
    # What else the finding is about: "timeline event 55", "checkpoint FILE", "site log".
    subject: str = ""

    def describe(self) -> str:
        """Return the finding as one line: incident, action record, subject, then reason."""
        where = []
        if self.incident_id is not None:
            where.append(f"incident {self.incident_id}")
        if self.sequence is not None:
            record = f"action record #{self.sequence}"
            if self.record_id is not None:
                record += f" (id {self.record_id})"
            where.append(record)
        if self.subject:
            where.append(self.subject)
        return f"{', '.join(where)}: {self.reason}" if where else self.reason
