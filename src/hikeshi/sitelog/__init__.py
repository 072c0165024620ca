"""The site log: account events in one append-only, hash-chained log anchored in a head row."""
