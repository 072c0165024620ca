"""Reads of incident records that the web pages, the API, the CLI and jobs share."""
