"""Backups of a running hikeshi and their restoration into an empty data folder.

A backup is one tar file (optionally gzip, xz or zstd compressed) holding
``database/`` (a consistent snapshot: SQLite's online backup, or PostgreSQL through
``pg_dump`` or a COPY of every table inside one read-only REPEATABLE READ transaction),
``data/`` (the files of HIKESHI_DATA_DIR that are not regenerated, secrets left out unless
asked for) and ``manifest.json`` (the SHA-256 and size of every file, a digest of every
table's rows, the hikeshi version and the migrations applied).

Modules: ``manifest`` (its schema), ``archive`` (writing and reading the tar safely),
``selection`` (which data files go in, which are secrets), ``tables`` (row digests),
``sqlite`` and ``postgres`` (the database snapshot and its restoration), ``create`` and
``restore`` (the two operations). Nothing here prints: the command line shows progress
through the ``Progress`` protocol and reports what the functions return.
"""
