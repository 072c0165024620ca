"""Directory pages: where to consult, the contacts, and choosing contacts for an incident."""
