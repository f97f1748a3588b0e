"""Staff accounts and API keys."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

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
_DUMMY_HASH = _hasher.hash("pantau-dummy-password")

# Log-in back-off, counted per (client address, typed name) whether the name is an account or not, so
# the answers never tell which names exist and a stranger's wrong guesses slow down only the stranger.
FREE_FAILURES = 5  # wrong passwords in a row before the next attempt has to wait
BACKOFF_FIRST = timedelta(minutes=1)  # the wait after the 5th failure; it doubles with each further one
BACKOFF_MAX = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # failures older than this are forgotten
MAX_TYPED_NAME = 200  # the key is what was typed, however long: bounded like the audit log's target


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
    kota: list[str] | None = None,
    email: str | None = None,
    actor: Actor | None = None,
) -> int:
    """Create a staff account; ``opd``, ``kecamatan`` and ``kota`` (a kota/kabupaten or a province: its served
    cities) are official codes. ``actor`` is who does it (audited)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{3,64}", username):
        raise AccountError("username: 3-64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role: unknown {role!r}; one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if conn.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": username}).first():
        raise AccountError(f"username: {username!r} exists already")
    email = (email or "").strip() or None
    if email is not None and not re.fullmatch(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}", email):
        raise AccountError(f"email: not an e-mail address: {email[:100]!r}")
    opd_id = None
    if opd:
        opd_id = conn.execute(text("SELECT id FROM opd WHERE code = :c"), {"c": opd}).scalar()
        if opd_id is None:
            raise AccountError(f"opd: unknown OPD code {opd!r}")
    user_id = conn.execute(
        text(
            "INSERT INTO app_user (username, password_hash, role, opd_id, email) "
            "VALUES (:u, :h, :r, :o, :e) RETURNING id"
        ),
        {"u": username, "h": hash_password(password), "r": role, "o": opd_id, "e": email},
    ).scalar_one()
    for code in dict.fromkeys(kecamatan or []):  # a code given twice limits the account once
        kec_id = conn.execute(text("SELECT id FROM area WHERE code = :c AND level = 'kecamatan'"), {"c": code}).scalar()
        if kec_id is None:
            raise AccountError(f"kecamatan: unknown kecamatan code {code!r}")
        conn.execute(
            text("INSERT INTO user_kecamatan (user_id, kecamatan_id) VALUES (:u, :k)"), {"u": user_id, "k": kec_id}
        )
    for code in dict.fromkeys(kota or []):
        known = conn.execute(text("SELECT level FROM jurisdiction WHERE code = :c"), {"c": code}).scalar()
        if known is None:
            raise AccountError(
                f"kota: unknown code {code!r}: a kota/kabupaten (4 digits, e.g. 3671) or a province (2 digits, e.g. 36)"
            )
        conn.execute(text("INSERT INTO user_jurisdiction (user_id, code) VALUES (:u, :c)"), {"u": user_id, "c": code})
    detail = {
        "user_id": int(user_id),
        "role": role,
        "opd": opd,
        "kecamatan": list(kecamatan or []),
        "kota": list(dict.fromkeys(kota or [])),
    }
    record(conn, "user_created", actor=actor, target=username, detail=detail)
    return int(user_id)


def load_user(conn: Connection, *, user_id: int | None = None, username: str | None = None) -> RowMapping | None:
    """A staff account by id or username, with its OPD code and kecamatan ids."""
    return conn.execute(sql("user_load"), {"id": user_id, "username": username}).mappings().first()


@dataclass
class StaffUser:
    """A logged-in staff account, as flask-login and the pages see it."""

    id: int
    username: str
    role: str
    opd_id: int | None = None
    opd_code: str | None = None
    kecamatan_ids: list[int] = field(default_factory=list)
    # The served cities the account is limited to (``users create --kota/--provinsi``); None: no such limit.
    kota_ids: list[int] | None = None
    session_key: str = ""
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        # What flask-login keeps in the session cookie: the id bound to the account's current secret.
        return f"{self.id}:{self.session_key}"

    @property
    def actor(self) -> Actor:
        return Actor(role=self.role, user_id=self.id)

    @classmethod
    def from_row(cls, row: Any) -> StaffUser:
        return cls(
            id=row["id"],
            username=row["username"],
            role=row["role"],
            opd_id=row["opd_id"],
            opd_code=row["opd_code"],
            kecamatan_ids=list(row["kecamatan_ids"] or []),
            kota_ids=None if row["kota_ids"] is None else list(row["kota_ids"]),
            session_key=session_key(row["session_secret"]),
        )


def session_key(secret: str) -> str:
    """The fingerprint of an account's ``session_secret`` that its tokens and session cookies carry."""
    return hashlib.sha256(f"pantau-session:{secret}".encode()).hexdigest()[:32]


class LoginRefused(Exception):
    """Wrong credentials (or an unknown or deactivated account), or too many attempts."""

    def __init__(self, reason: str, retry_after: int = 0):
        super().__init__(reason)
        # "invalid"; "backoff": too many failures for this name from this address (not checked, wait
        # ``retry_after`` seconds); "too_many": too many attempts from this address (api/limits.py).
        self.reason = reason
        self.retry_after = retry_after


def _typed(username: str) -> str:
    # PostgreSQL text cannot hold NUL; a typed name may contain one.
    return username.replace("\x00", "\\x00")[:MAX_TYPED_NAME]


def _backoff_wait(conn: Connection, client: str, username: str) -> int:
    """Seconds this (address, name) still has to wait before its next attempt; 0 when it may try."""
    wait = conn.execute(
        text(
            "SELECT ceil(extract(epoch FROM blocked_until - now())) FROM login_backoff"
            " WHERE client = :c AND username = :u AND blocked_until > now()"
        ),
        {"c": client, "u": username},
    ).scalar()
    return max(int(wait or 0), 0)


def _count_failure(conn: Connection, client: str, username: str) -> None:
    conn.execute(text("DELETE FROM login_backoff WHERE last_failed_at < now() - :age"), {"age": FORGET_AFTER})
    failures = conn.execute(
        text(
            "INSERT INTO login_backoff AS b (client, username, failures) VALUES (:c, :u, 1)"
            " ON CONFLICT (client, username) DO UPDATE SET failures = b.failures + 1, last_failed_at = now()"
            " RETURNING failures"
        ),
        {"c": client, "u": username},
    ).scalar_one()
    if failures >= FREE_FAILURES:
        wait = min(BACKOFF_FIRST * 2 ** min(failures - FREE_FAILURES, 16), BACKOFF_MAX)
        conn.execute(
            text("UPDATE login_backoff SET blocked_until = now() + :wait WHERE client = :c AND username = :u"),
            {"wait": wait, "c": client, "u": username},
        )


def authenticate(conn: Connection, username: str, password: str, client: str = "local") -> RowMapping:
    """The account if the password is right and active; raises LoginRefused otherwise.

    ``client`` is the address asking (``local`` outside a request). After FREE_FAILURES wrong attempts in a row for one name from one
    address, the next waits (1, 2, 4 … up to 15 minutes) and is refused unchecked until then. An unknown
    or deactivated name is treated exactly like a wrong password for a real one, at the same hashing cost.
    """
    typed = _typed(username)
    wait = _backoff_wait(conn, client, typed)
    if wait:
        raise LoginRefused("backoff", retry_after=wait)
    # No username holds NUL (PostgreSQL text cannot): refuse it as any unknown name, not as a database error.
    user = load_user(conn, username=username) if "\x00" not in username else None
    if user is None or not user["active"]:
        verify_password(_DUMMY_HASH, password)  # same work either way: no timing hint that the name exists
        user = None
    elif not verify_password(user["password_hash"], password):
        user = None
    if user is None:
        _count_failure(conn, client, typed)
        raise LoginRefused("invalid")
    conn.execute(text("DELETE FROM login_backoff WHERE client = :c AND username = :u"), {"c": client, "u": typed})
    return user


def _account(conn: Connection, username: str) -> RowMapping:
    user = load_user(conn, username=username) if "\x00" not in username else None
    if user is None:
        raise AccountError(f"no staff account {username!r}")
    return user


def set_password(conn: Connection, username: str, password: str, *, actor: Actor | None = None) -> None:
    """Give the account a new password; its tokens and sessions end at once, its log-in back-off is cleared."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    user = _account(conn, username)
    conn.execute(
        text("UPDATE app_user SET password_hash = :h, session_secret = DEFAULT WHERE id = :id"),
        {"h": hash_password(password), "id": user["id"]},
    )
    cleared = _clear_backoff(conn, username)
    record(conn, "password_set", actor=actor, target=username, detail={"user_id": user["id"], "backoff": cleared})


def set_active(conn: Connection, username: str, active: bool, *, actor: Actor | None = None) -> None:
    """Activate or deactivate an account; deactivating ends its tokens and sessions at once."""
    user = _account(conn, username)
    rotate = "" if active else ", session_secret = DEFAULT"
    conn.execute(text(f"UPDATE app_user SET active = :a{rotate} WHERE id = :id"), {"a": active, "id": user["id"]})
    action = "user_activated" if active else "user_deactivated"
    record(conn, action, actor=actor, target=username, detail={"user_id": user["id"], "was_active": user["active"]})


def _clear_backoff(conn: Connection, username: str) -> int:
    return conn.execute(text("DELETE FROM login_backoff WHERE username = :u"), {"u": _typed(username)}).rowcount


def unlock(conn: Connection, username: str, *, actor: Actor | None = None) -> int:
    """Forget the failed log-ins for this account's name from every address; returns how many addresses."""
    user = _account(conn, username)
    cleared = _clear_backoff(conn, username)
    record(conn, "user_unlocked", actor=actor, target=username, detail={"user_id": user["id"], "backoff": cleared})
    return cleared


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


def revoke_api_key(conn: Connection, name: str, *, actor: Actor | None = None) -> None:
    """Revoke the key named ``name``: Open311 refuses it from now on. ``actor`` is who does it (audited)."""
    key = conn.execute(text("SELECT id, revoked_at FROM api_key WHERE name = :n"), {"n": name}).first()
    if key is None:
        raise AccountError(f"no API key named {name!r}")
    if key.revoked_at is not None:
        raise AccountError(f"the API key {name!r} was revoked already")
    conn.execute(text("UPDATE api_key SET revoked_at = now() WHERE id = :id"), {"id": key.id})
    record(conn, "api_key_revoked", actor=actor, target=name)


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
