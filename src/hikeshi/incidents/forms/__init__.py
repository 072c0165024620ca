"""The forms of the incident pages: they read and check input; services do the writing."""
