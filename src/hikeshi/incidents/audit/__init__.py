"""The tamper-evident record of an incident: hash chain, coverage, seals and checkpoints.

One idea per module: ``canonical`` (the byte form hashes are taken over), ``rows`` (which
columns of which tables are evidence), ``chain`` (record hashes, walking a chain),
``findings`` (what verification reports), ``keyfiles`` and ``seal`` (HMAC under a key kept
outside the database), ``coverage`` (digests of events, members, checklist and incident
state) and ``coverage_check`` (comparing them with the database), ``verify`` (checking the
database), ``signing`` and ``checkpoint_files`` (signed statements of chain heads),
``checkpoint_check`` (what contradicts a checkpoint), ``checkpoints`` (taking them,
comparing the database), ``daily`` (the daily checkpoint of ``hikeshi serve``), ``export``
and ``offline`` (an incident's record as a ZIP, verified without a database).

``canonical``, ``rows``, ``chain``, ``findings``, ``signing``, ``checkpoint_files``,
``checkpoint_check`` and ``offline`` import no Django: ``hikeshi audit verify-export`` runs
without a database.
"""
