"""Staff accounts and API keys."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from limits import parse
from sqlalchemy import Connection, RowMapping, text

from db.audit import record
from db.complaints import Actor
from db.models import ROLES
from db.sql import sql

_hasher = PasswordHasher()
MIN_PASSWORD = 8
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_DUMMY_HASH = _hasher.hash("pantau-dummy-password")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def create_user(
    conn: Connection,
    username: str,
    password: str,
    role: str,
    opd: str | None = None,
    kecamatan: list[str] | None = None,
    *,
    actor: Actor | None = None,
) -> int:
    """Create a staff account; ``opd`` and ``kecamatan`` are official codes. ``actor`` is who does it (audited)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{3,64}", username):
        raise AccountError("username: 3-64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role: unknown {role!r}; one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if conn.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": username}).first():
        raise AccountError(f"username: {username!r} exists already")
    opd_id = None
    if opd:
        opd_id = conn.execute(text("SELECT id FROM opd WHERE code = :c"), {"c": opd}).scalar()
        if opd_id is None:
            raise AccountError(f"opd: unknown OPD code {opd!r}")
    user_id = conn.execute(
        text("INSERT INTO app_user (username, password_hash, role, opd_id) VALUES (:u, :h, :r, :o) RETURNING id"),
        {"u": username, "h": hash_password(password), "r": role, "o": opd_id},
    ).scalar_one()
    for code in kecamatan or []:
        kec_id = conn.execute(text("SELECT id FROM area WHERE code = :c AND level = 'kecamatan'"), {"c": code}).scalar()
        if kec_id is None:
            raise AccountError(f"kecamatan: unknown kecamatan code {code!r}")
        conn.execute(
            text("INSERT INTO user_kecamatan (user_id, kecamatan_id) VALUES (:u, :k)"), {"u": user_id, "k": kec_id}
        )
    detail = {"user_id": int(user_id), "role": role, "opd": opd, "kecamatan": list(kecamatan or [])}
    record(conn, "user_created", actor=actor, target=username, detail=detail)
    return int(user_id)


def load_user(conn: Connection, *, user_id: int | None = None, username: str | None = None) -> RowMapping | None:
    """A staff account by id or username, with its OPD code and kecamatan ids."""
    return conn.execute(sql("user_load"), {"id": user_id, "username": username}).mappings().first()


class LoginRefused(Exception):
    """Wrong credentials, a disabled account, or one locked after repeated failures."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid", "locked" or (too many attempts from one address) "too_many"


def authenticate(conn: Connection, username: str, password: str) -> RowMapping:
    """The account if the password is right; counts failures and locks the account after too many."""
    # No username holds NUL (PostgreSQL text cannot): refuse it as any unknown name, not as a database error.
    user = load_user(conn, username=username) if "\x00" not in username else None
    if user is None or not user["active"]:
        verify_password(_DUMMY_HASH, password)  # same work either way: no timing hint that the name exists
        raise LoginRefused("invalid")
    now = datetime.now(UTC)
    if user["locked_until"] is not None and user["locked_until"] > now:
        raise LoginRefused("locked")
    if not verify_password(user["password_hash"], password):
        failures = user["failed_logins"] + 1
        locked = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
        conn.execute(
            text("UPDATE app_user SET failed_logins = :f, locked_until = :l WHERE id = :id"),
            {"f": 0 if locked else failures, "l": locked, "id": user["id"]},
        )
        raise LoginRefused("locked" if locked else "invalid")
    if user["failed_logins"] or user["locked_until"]:
        conn.execute(
            text("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = :id"), {"id": user["id"]}
        )
    return user


def _key_hash(key: str) -> str:
    # API keys are long random strings, so a plain SHA-256 is enough to store them.
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(conn: Connection, name: str, *, actor: Actor | None = None, rate: str | None = None) -> str:
    """Create a key for an Open311 client; only its hash is stored. ``actor`` is who does it (audited).

    ``rate`` (e.g. ``600/minute``) is the client's own submission quota; None: ``PANTAU_API_KEY_RATE``.
    """
    name = name.strip()
    if not name:
        raise AccountError("name: required")
    if rate is not None:
        try:
            parse(rate)
        except ValueError:
            raise AccountError(f"rate: not a rate such as 600/minute: {rate!r}") from None
    if conn.execute(text("SELECT 1 FROM api_key WHERE name = :n"), {"n": name}).first():
        raise AccountError(f"name: an API key named {name!r} exists already")
    key = "pk_" + secrets.token_urlsafe(32)
    conn.execute(
        text("INSERT INTO api_key (name, key_hash, rate) VALUES (:n, :h, :r)"),
        {"n": name, "h": _key_hash(key), "r": rate},
    )
    record(conn, "api_key_created", actor=actor, target=name)
    return key


def api_key_name(conn: Connection, key: str | None) -> str | None:
    """The name of a valid, unrevoked key, or None."""
    if not key:
        return None
    return conn.execute(
        text("SELECT name FROM api_key WHERE key_hash = :h AND revoked_at IS NULL"), {"h": _key_hash(key)}
    ).scalar()


def api_key_client(conn: Connection, key: str | None) -> RowMapping | None:
    """The ``name`` and ``rate`` of a valid, unrevoked key, or None."""
    if not key:
        return None
    return (
        conn.execute(
            text("SELECT name, rate FROM api_key WHERE key_hash = :h AND revoked_at IS NULL"), {"h": _key_hash(key)}
        )
        .mappings()
        .first()
    )
