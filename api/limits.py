"""Rate limits (flask-limiter): report submissions, shared by every intake door, and staff log-ins.

``PANTAU_SUBMIT_RATE`` is counted per client: the IP address for the web form,
the sender's number for SMS (the gateway is one IP for everybody). An Open311
client is counted per API key, at the key's own rate or ``PANTAU_API_KEY_RATE``
(a partner system forwards many citizens' reports from one address). Only
requests whose credentials were accepted are counted. ``PANTAU_LOGIN_RATE`` counts log-in attempts (right or wrong) per
IP address, on the log-in page and ``POST /api/v1/auth/token`` together.
Counters live in Redis when ``PANTAU_REDIS_URL`` is set, so every worker
counts together; otherwise in this process's memory.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from settings import get_settings

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def submit_rate() -> str:
    """The configured limit, as flask-limiter reads it (``10/minute``)."""
    return get_settings().submit_rate


def init_limits(server: Flask) -> None:
    settings = get_settings()
    server.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    limiter.init_app(server)


def allow_submission(scope: str, who: str | None = None, per_report: int = 1) -> bool:
    """Count one submission for ``who`` (default: the request's IP) in ``scope``; False once over the limit.

    For submissions that do not arrive as their own Flask route, such as the
    Dash callbacks behind ``/lapor``. ``per_report`` raises the limit for what a
    report may bring several of (its photos).
    """
    limit = parse(submit_rate())
    if per_report != 1:
        limit = type(limit)(limit.amount * per_report, limit.multiples, limit.namespace)
    return limiter.limiter.hit(limit, "submit", scope, who or get_remote_address())


def allow_api_key(name: str, rate: str) -> bool:
    """Count one Open311 submission for the API key named ``name``, limited to ``rate``; False once over it."""
    return limiter.limiter.hit(parse(rate), "api-key", name)


def login_rate() -> str:
    """The configured log-in limit, as flask-limiter reads it (``20/minute``)."""
    return get_settings().login_rate


def allow_login(who: str | None = None) -> bool:
    """Count one log-in attempt from ``who`` (default: the request's IP); False once over the limit."""
    return limiter.limiter.hit(parse(login_rate()), "login", who or get_remote_address())
