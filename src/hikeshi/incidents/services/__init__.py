"""The only writers of the incident record; each call is one transaction with its action record."""
