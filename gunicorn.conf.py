"""gunicorn's settings for ``make serve`` (gunicorn reads this file from the working directory).

Threaded workers (``gthread``): a worker keeps answering its health check
while a thread streams a long export, so a million-row download is not killed
at the timeout, and wall screens' keep-alive connections do not each hold a
whole process. Workers and threads come from PANTAU_WORKERS and PANTAU_THREADS.
"""

import multiprocessing

from settings import get_settings

_settings = get_settings()

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers or multiprocessing.cpu_count() * 2 + 1
worker_class = "gthread"
threads = _settings.threads
timeout = 60
graceful_timeout = 30
keepalive = 15
# No access log: the app writes one JSON line per request (api/request_log.py), without query strings.
accesslog = None


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Say when a worker has loaded the app (tests wait for it)."""
    worker.log.info("pantau worker ready")
