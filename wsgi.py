"""WSGI entry point: `gunicorn wsgi:app` in production; the `flask` command loads it too (FLASK_APP=wsgi).

A misconfiguration ends the process with one line on stderr saying what to set (create_app_or_exit).
"""

from fundapp import create_app_or_exit

app = create_app_or_exit()
