"""The directory: where to consult and whom to contact, the deployment's and each incident's."""
