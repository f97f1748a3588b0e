"""Who is asking: browser sessions (flask-login), bearer tokens for the JSON API, CSRF.

What the one asking may do is ``services/permissions.py``'s.

Rules:
- Staff log in on ``/login`` (a session cookie, expiring after PERMANENT_SESSION_LIFETIME)
  or get a bearer token from ``POST /api/v1/auth/token``.
- Every log-in attempt, right or wrong, counts against ``PANTAU_LOGIN_RATE`` per
  IP address (``api/limits.py``); over it the password is not even checked.
  Wrong passwords for one name from one address back off (``db/accounts.py``).
  Each attempt, the log-out and every token issued is an ``audit_event`` row.
- Tokens and session cookies carry a fingerprint of the account's
  ``session_secret``; a new password or deactivation replaces the secret, so
  everything issued before stops working on its next request.
- Every state-changing request that is authenticated by the session cookie must
  carry the CSRF token (Dash sends the ``_csrf_token`` cookie back as the
  ``X-CSRFToken`` header by itself; plain forms carry a ``csrf_token`` field).
  Only requests that a valid bearer token authenticates (or that authenticate
  on their own: Open311 ``api_key``, the SMS gateway secret) skip it; a staff
  API request (``/api/v1/``) that nothing authenticates is left to answer 401.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any, cast

from flask import Blueprint, Flask, Response, g, jsonify, redirect, request, session
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Connection

from api import schemas
from api.browser_cache import is_shared
from api.limits import allow_login
from api.openapi import FORM, JSON, operation
from api.request_log import request_id
from db.accounts import LoginRefused, StaffUser, authenticate, load_user
from db.audit import record
from db.complaints import Actor
from db.engine import get_engine

TOKEN_MAX_AGE = timedelta(hours=12)
SESSION_LIFETIME = timedelta(hours=8)
CSRF_COOKIE = "_csrf_token"
# Paths whose POSTs authenticate with something other than the session cookie.
CSRF_EXEMPT_PREFIXES = ("/api/v1/auth/token", "/open311/", "/api/v1/inbound/")
STAFF_API_PREFIX = "/api/v1/"

login_manager = LoginManager()
csrf = CSRFProtect()
bp = Blueprint("auth", __name__)


def _user(user_id: Any, key: Any) -> StaffUser | None:
    """The active account ``user_id`` if ``key`` matches its current secret (it changes on a new password)."""
    if type(user_id) is not int or not isinstance(key, str) or not key:
        return None
    with get_engine().connect() as conn:
        row = load_user(conn, user_id=user_id)
    if row is None or not row["active"]:
        return None
    user = StaffUser.from_row(row)
    return user if hmac.compare_digest(user.session_key, key) else None


@login_manager.user_loader
def _load(user_id: str) -> StaffUser | None:
    uid, _, key = user_id.partition(":")
    return _user(int(uid), key) if uid.isascii() and uid.isdigit() else None


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="pantau-api-token")


def issue_token(app: Flask, user: StaffUser) -> str:
    return _serializer(app).dumps({"uid": user.id, "key": user.session_key})


def _has_bearer() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _bearer_user(app: Flask) -> StaffUser | None:
    """The account the request's bearer token stands for, or None (none, forged, expired or outdated)."""
    if "bearer" not in g:
        g.bearer = None
        if _has_bearer():
            try:
                data = _serializer(app).loads(
                    request.headers["Authorization"][7:].strip(), max_age=int(TOKEN_MAX_AGE.total_seconds())
                )
            except (BadSignature, SignatureExpired):
                data = None
            if isinstance(data, dict):
                g.bearer = _user(data.get("uid"), data.get("key"))
    return cast(StaffUser | None, g.bearer)


def current_staff() -> StaffUser | None:
    """The staff member making this request (bearer token first, then the session), or None."""
    if "staff" not in g:
        from flask import current_app

        user = _bearer_user(current_app)
        if user is None and current_user.is_authenticated:
            user = cast(StaffUser, current_user._get_current_object())  # type: ignore[attr-defined]
        g.staff = user
    return cast(StaffUser | None, g.staff)


def _check_csrf() -> None:
    from flask import current_app

    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    if _bearer_user(current_app) is not None:
        return  # the token alone authenticates this request: no cookie authority to forge
    if request.path.startswith(STAFF_API_PREFIX) and not current_user.is_authenticated:
        return  # nobody is authenticated: the endpoint itself answers 401
    csrf.protect()


def _set_csrf_cookie(response: Response) -> Response:
    # Dash reads this cookie and sends it back as X-CSRFToken on every callback. An answer that is the same
    # for everyone never sets it: its session, where the token's other half lives, is not saved
    # (api/browser_cache.py).
    if is_shared(response):
        return response
    if request.cookies.get(CSRF_COOKIE) is None or "csrf_token" not in session:
        response.set_cookie(CSRF_COOKIE, generate_csrf(), samesite="Lax", secure=request.is_secure, httponly=False)
    return response


def audit(conn: Connection, action: str, actor: Actor | None, target: str | None = None, **detail: Any) -> None:
    """Record a staff action of this request in the audit log (with the client's IP and the request id)."""
    record(conn, action, actor=actor, target=target, detail=detail, client=request.remote_addr, request_id=request_id())


def _check_password(username: str, password: str, via: str) -> Any:
    """The account row, or LoginRefused; a refusal still commits the failure count that leads to back-off.

    ``via`` is ``page`` (a session) or ``token``. Past ``PANTAU_LOGIN_RATE`` from this IP the
    password is not checked (``LoginRefused("too_many")``), nor while this name backs off from this
    IP (``LoginRefused("backoff")``). Each attempt past the IP limit is audited, a refused one too:
    it commits here, whatever the request does next.
    """
    client = get_remote_address()
    if not allow_login(client):
        raise LoginRefused("too_many")
    refused: LoginRefused | None = None
    with get_engine().begin() as conn:
        try:
            row = authenticate(conn, username, password, client)
        except LoginRefused as exc:
            refused = exc
            audit(conn, "login_failed", Actor(role="public"), username, via=via, reason=exc.reason)
        else:
            actor = Actor(role=row["role"], user_id=row["id"])
            audit(conn, "login" if via == "page" else "token_issued", actor, row["username"], via=via)
    if refused is not None:
        raise refused
    return row


@bp.post("/api/v1/auth/token")
@operation(
    "Exchange a staff username and password for a bearer token (12 hours).",
    tag="Staff",
    body=schemas.TokenRequest,
    body_types=(JSON, FORM),
    responses={
        200: ("The token.", schemas.Token),
        400: "Username or password missing.",
        401: "Wrong username or password.",
        429: "Too many attempts from this address, or too many failed ones for this name from it (then with "
        "Retry-After).",
    },
)
def token() -> Any:
    """Exchange a username and password for a bearer token."""
    from flask import current_app

    body: Any = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(body, "get"):
        return jsonify(error="send JSON or a form with username and password", code=400), 400
    username, password = str(body.get("username") or ""), str(body.get("password") or "")
    if not username or not password:
        return jsonify(error="username and password are required", code=400), 400
    try:
        row = _check_password(username, password, via="token")
    except LoginRefused as exc:
        if exc.reason == "too_many":
            return jsonify(error="too many log-in attempts from this address; try again later", code=429), 429
        if exc.reason == "backoff":
            refused = jsonify(
                error=f"too many failed log-ins for this name from this address; try again in {exc.retry_after} s",
                code=429,
            )
            return refused, 429, {"Retry-After": str(exc.retry_after)}
        return jsonify(error="wrong username or password", code=401), 401
    user = StaffUser.from_row(row)
    issued = schemas.Token(
        access_token=issue_token(current_app, user),
        token_type="Bearer",
        expires_in=int(TOKEN_MAX_AGE.total_seconds()),
        role=user.role,
    )
    return jsonify(schemas.answer(issued))


def log_in(username: str, password: str) -> StaffUser:
    """Start a browser session (used by the login page's callback); raises LoginRefused."""
    row = _check_password(username, password, via="page")
    user = StaffUser.from_row(row)
    session.permanent = True
    login_user(user)
    return user


@bp.post("/logout")
def logout() -> Any:
    user = current_staff()
    if user is not None:
        with get_engine().begin() as conn:
            audit(conn, "logout", user.actor, user.username)
    logout_user()
    session.clear()
    return redirect("/")


def init_auth(server: Flask) -> None:
    server.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    server.config["WTF_CSRF_CHECK_DEFAULT"] = False
    server.config["WTF_CSRF_TIME_LIMIT"] = None
    login_manager.init_app(server)
    csrf.init_app(server)
    server.before_request(_check_csrf)
    server.after_request(_set_csrf_cookie)
    server.register_blueprint(bp)

    @server.errorhandler(CSRFError)
    def _csrf_refused(exc: CSRFError) -> Any:
        return jsonify(error=f"CSRF check failed: {exc.description}", code=400), 400
