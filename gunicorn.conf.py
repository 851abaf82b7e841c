"""gunicorn settings for scripts/run (gunicorn reads this file from the working directory).

Threads (gthread) rather than one request per process: a worker keeps serving while a request waits on the
database or a password hash. On the embedded SQLite database readers never wait (WAL) and writers queue for
the write lock (BEGIN IMMEDIATE, SQLITE_BUSY_TIMEOUT), so a few workers with a few threads each stay safe.
Every setting can be overridden on the command line or with the environment variables below.
"""

import gc
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
#: A request running longer than this is stopped and its worker replaced.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"


def post_worker_init(worker) -> None:
    """Once a worker has loaded the application, its modules, app and templates live as long as it does: move
    them out of the garbage collector's reach (gc.freeze), so that the full collections a large request
    triggers only walk that request's objects."""
    gc.collect()
    gc.freeze()
