"""The JSON API and Open311 GeoReport v2, as Flask blueprints on the Dash server."""

from __future__ import annotations

from importlib import import_module

from flask import Flask


def register_api(server: Flask) -> None:
    """Attach authentication and every API blueprint to ``server``."""
    from api.auth import init_auth

    init_auth(server)
    server.register_blueprint(import_module("api.workflow").bp)  # staff work: queue, jobs, photos
    server.register_blueprint(import_module("api.photos").bp)  # wall screen photos
    server.register_blueprint(import_module("api.export").bp)  # leaders' exports
    # Intake: Open311, inbound SMS, the OpenAPI document, submission rate limits.
    from api import inbound, open311, openapi
    from api.limits import init_limits

    init_limits(server)
    for blueprint in (open311.bp, inbound.bp, openapi.bp):
        server.register_blueprint(blueprint)
    # Production hardening: what browsers may keep, security headers, JSON request logs, a clear 503
    # when the database is away.
    from api.browser_cache import init_browser_cache
    from api.errors import init_errors
    from api.request_log import init_request_log
    from api.security import init_security

    # init_errors before init_request_log: both put a hook first, and the request log's timer goes before all.
    for init in (init_browser_cache, init_security, init_errors, init_request_log):
        init(server)
