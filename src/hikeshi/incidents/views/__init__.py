"""The incident pages; each module is one page or one family of form posts."""
