"""The REST API v1 (django-ninja); OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="hikeshi", version="1", urls_namespace="api")
