"""Every Pantau setting, declared once with its default and help text.

Values come from the environment: ``PANTAU_*`` plus ``DATABASE_URL``, ``HOST``
and ``PORT``. ``tests/unit/test_settings.py`` fails when one is missing from the
README's settings table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from limits import parse
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
LOCAL_PG_PORT = 54329  # scripts/pg.sh's port; the cluster listens on its Unix socket only


def local_pg_dir(data_dir: Path) -> Path:
    """The folder of the project-local cluster scripts/pg.sh runs for ``data_dir``.

    ``data_dir/pg``, which as root may be a link to ``/var/lib/pantau/<hash>``
    (when the postgres user cannot enter ``data_dir``): followed here, as
    pg.sh follows it, so the socket path is the one the server was given.
    """
    return (data_dir / "pg").resolve()


def local_database_url(database: str, data_dir: Path) -> str:
    """SQLAlchemy URL of ``database`` in the project-local cluster of ``data_dir``."""
    return f"postgresql+psycopg://postgres@/{database}?host={local_pg_dir(data_dir) / 'run'}&port={LOCAL_PG_PORT}"


class Settings(BaseSettings):
    """Pantau's configuration; one instance per process."""

    model_config = SettingsConfigDict(env_prefix="PANTAU_", extra="ignore")

    database_url: str = Field(
        "",
        validation_alias=AliasChoices("DATABASE_URL"),
        description="SQLAlchemy URL of the PostGIS database. Unset: the project-local cluster under PANTAU_DATA_DIR/pg.",
    )
    read_database_url: str = Field(
        "",
        description="SQLAlchemy URL of a streaming replica of DATABASE_URL for reads that may run a little behind"
        " (the leaders' dashboard, exports, /statistik, Open311 listings, the wall). Empty: every read from DATABASE_URL.",
    )
    max_replica_lag_s: float = Field(
        30,
        ge=0,
        description="Furthest the replica may run behind, in seconds; farther, or unreachable, and reads go to"
        " DATABASE_URL until it catches up.",
    )
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("HOST"), description="Address the web app listens on.")
    port: int = Field(8050, validation_alias=AliasChoices("PORT"), description="Port the web app listens on.")
    data_dir: Path = Field(
        PROJECT_ROOT / "var",
        description="Folder for the local database cluster (pg/) and stored photos (photos/).",
    )
    boundaries_dir: Path = Field(
        PROJECT_ROOT.parent / "shared" / "data" / "boundaries",
        description="Folder whose *_kelurahan.geojson and *_kecamatan.geojson files are loaded by default.",
    )
    jurisdictions_file: Path = Field(
        PROJECT_ROOT.parent / "shared" / "data" / "wilayah" / "jurisdictions.csv",
        description="CSV of every province, kabupaten and kota (Kemendagri codes) loaded at bootstrap: the places a"
        " report can be forwarded to.",
    )
    demo: bool | None = Field(
        None,
        description="1: seed demo complaints when the database has none; 0: never. Unset: seed on an empty database.",
    )
    demo_count: int = Field(5000, description="How many demo complaints seeding creates.")
    secret_key: str = Field(
        "", description="Flask session secret. Unset: a random key kept in PANTAU_DATA_DIR/secret_key."
    )
    max_photo_mb: float = Field(15, description="Largest photo upload accepted, in megabytes.")
    photo_max_distance_m: float = Field(
        200,
        ge=0,
        description="Farthest a completion photo may be taken from the report, in metres, for finishing to close it; "
        "farther, or without GPS, it waits for an operator to confirm.",
    )
    tile_url: str = Field(
        "",
        description="Optional raster tile URL template ({z}/{x}/{y}) drawn under the boundaries; empty keeps the map offline.",
    )
    redis_url: str = Field("", description="Redis URL for the shared cache; empty uses a per-process cache.")
    workers: int = Field(0, description="gunicorn worker processes for make serve; 0 means 2 x cores + 1.")
    threads: int = Field(4, description="Threads per gunicorn worker for make serve (requests served at once by each).")
    photo_store: str = Field(
        "",
        description="Where photos are stored: empty for PANTAU_DATA_DIR/photos, or s3://bucket/prefix.",
    )
    lang: str = Field("id", description="Default interface language: id (Bahasa Indonesia) or en.")
    pool_size: int = Field(5, description="Database connections kept open per worker process.")
    pool_timeout_s: float = Field(
        10, description="Longest a request waits for a free database connection before it is answered 503, in seconds."
    )
    statement_timeout_ms: int = Field(15000, description="Longest a single SQL statement may run, in milliseconds.")
    poll_ms: int = Field(
        2000, description="How often open pages check the data version for live updates, in milliseconds."
    )
    sms_secret: str = Field(
        "", description="Shared secret the SMS gateway sends in the X-Pantau-Secret header; empty refuses inbound SMS."
    )
    submit_rate: str = Field(
        "10/minute",
        description="Most reports one client may submit, e.g. 10/minute: per IP address on /lapor, per sender on SMS.",
    )
    api_key_rate: str = Field(
        "600/minute",
        description="Most Open311 POST requests one API key may make, e.g. 600/minute, unless the key has its own rate.",
    )
    login_rate: str = Field(
        "20/minute",
        description="Most log-in attempts (right or wrong) one IP address may make, e.g. 20/minute: /login and the API token together.",
    )
    behind_proxy: int = Field(
        0,
        description="How many reverse proxies in front of the app to trust for X-Forwarded-For/-Proto/-Host; 0 trusts none.",
    )
    public_url: str = Field(
        "",
        description="The address citizens reach Pantau at, for links in messages to reporters, e.g. https://pantau.example.go.id. Empty: http://HOST:PORT.",
    )
    sms_outbound_url: str = Field(
        "",
        description="SMS gateway URL messages to reporters are POSTed to (to, text; X-Pantau-Secret: PANTAU_SMS_SECRET). Empty: SMS off.",
    )
    whatsapp_outbound_url: str = Field(
        "",
        description="WhatsApp provider webhook messages to reporters are POSTed to (to, text, template, lang). Empty: WhatsApp off.",
    )
    whatsapp_secret: str = Field(
        "",
        description="Shared secret of the WhatsApp gateway, in X-Pantau-Secret both ways (or the key of its"
        " X-Hub-Signature-256 on inbound JSON). Empty: PANTAU_SMS_SECRET.",
    )
    social_secret: str = Field(
        "",
        description="Shared secret the social-listening gateway sends in X-Pantau-Secret; empty refuses inbound posts.",
    )
    escalate_after_days: int = Field(
        2, description="Working days after a reminder that a stage still overdue is escalated to the leaders."
    )
    chase_interval_s: int = Field(
        300,
        description="How often the delivery worker looks for overdue stages to remind or escalate, in seconds;"
        " 0: never (run flask --app app chase yourself).",
    )
    reindex_interval_h: int = Field(
        168,
        description="How often the delivery worker rebuilds the open complaints' indexes, which swell as complaints"
        " close (db/maintenance.py), in hours; 0: never (run flask --app app reindex yourself).",
    )
    smtp_url: str = Field(
        "",
        description="SMTP server for e-mail to reporters: smtp://host:port, smtp+starttls://user:password@host:port or smtps://…. Empty: e-mail off.",
    )
    mail_from: str = Field("Pantau <pantau@localhost>", description="Sender address of e-mail to reporters.")
    notify_worker: bool = Field(
        True, description="1: make run and make serve start the delivery worker beside the app; 0: run it yourself."
    )
    notify_retry_s: float = Field(
        30,
        description="Wait before the first retry of a failed message, in seconds; it doubles with each attempt, up to an hour.",
    )
    notify_max_attempts: int = Field(12, description="Attempts before a message is given up as dead (shown to admins).")
    notify_timeout_s: float = Field(
        10, description="Longest wait for a gateway or SMTP server to answer one message, in seconds."
    )
    door_poll_s: float = Field(
        60,
        gt=0,
        description="How often the door worker asks other jurisdictions' systems for the status of the reports"
        " forwarded to them, in seconds.",
    )

    @property
    def base_url(self) -> str:
        """Where citizens reach the app, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @field_validator("submit_rate", "login_rate", "api_key_rate")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse(value)  # a typo fails at start-up, not on the first request it would limit
        return value

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def pg_dir(self) -> Path:
        return local_pg_dir(self.data_dir)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
