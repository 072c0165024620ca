"""An app that adds a panel to the incident page, as any later app will (tests only)."""
