"""The reports package has no routes of its own yet: the IATI file is served by the API (tests/api/routes.py)."""

ROUTES: list = []
