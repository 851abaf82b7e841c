from tests.routing import Route, statuses

ROUTES = [
    Route("core.healthz", "/healthz", statuses("public")),
    Route("static", "/static/css/app.css", statuses("public")),
]
