"""Data files with a schema: YAML read into strict, frozen models, with readable errors.

Plain Python (no Django), shared by every kind of data hikeshi ships as files: the
guidance today, and whatever other rule sets and catalogues are kept the same way.
``model`` holds the strict base model, ``text`` the localized text, ``loading`` the reader.
"""
