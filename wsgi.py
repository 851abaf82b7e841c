"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi` for commands."""

from fundapp import create_app

app = create_app()
