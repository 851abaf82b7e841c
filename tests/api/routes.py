from tests.routing import Route, statuses

ROUTES = [
    Route("api.summary", "/api/v1/summary", statuses("public")),
]
