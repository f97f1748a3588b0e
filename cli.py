"""Command-line tools: ``.venv/bin/flask --app app <command> --help``."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from db.accounts import (
    AccountError,
    create_api_key,
    create_user,
    load_user,
    revoke_api_key,
    set_active,
    set_password,
    unlock,
)
from db.audit import ACTIONS, recent, record
from db.boundaries import boundary_counts, load_boundaries
from db.catalogue import load_catalogue
from db.chase import chase
from db.complaints import WIB, Actor
from db.engine import database_url, get_engine
from db.jurisdictions import JurisdictionFileError, load_jurisdictions
from db.leaders import rebuild_rollups
from db.maintenance import rebuild_open_indexes, settle_after_bulk_load
from db.migrate import migrate_database
from geo.boundaries.reader import BoundaryFileError, default_files, read_boundaries
from photos.store import get_store
from services.actions import reroute_open
from services.demo import complaint_count, seed_demo
from services.intake import import_complaints
from services.permissions import STAFF_ROLES, scope_option_refusal
from settings import get_settings

# Who the audit log names for what is done from the command line (there is no staff account behind it).
CLI = Actor(role="cli")


def _parse_fields(fields: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for item in fields:
        if "=" not in item:
            raise click.BadParameter(f"{item!r}: write FIELD=COLUMN", param_hint="--field")
        key, value = item.split("=", 1)
        mapping[key.strip()] = value.strip()
    return mapping


def _import_files(files: list[tuple[Path, str]], mapping: dict[str, str]) -> None:
    for path, level in files:
        rows = read_boundaries(path, level, mapping)
        with (
            get_engine().begin() as conn,
            click.progressbar(length=len(rows.frame), label=f"{path.name} ({level})", file=sys.stderr) as bar,
        ):
            report = load_boundaries(conn, rows, str(path), progress=bar.update)
            detail = {"level": level, "features": report.features, "repaired": len(report.repaired)}
            record(conn, "boundaries_imported", actor=CLI, target=str(path), detail=detail)
        for line in report.lines():
            click.echo(line)


@click.command("import-boundaries")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", type=click.Choice(["kelurahan", "kecamatan"]), help="Level of the areas in PATHS.")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Name the column holding a field, e.g. kode_kelurahan=KODE.",
)
def import_boundaries_command(paths: tuple[Path, ...], level: str | None, fields: tuple[str, ...]) -> None:
    """Load kelurahan or kecamatan boundaries (GeoJSON, GeoPackage, Shapefile; any CRS).

    With no PATHS, loads every *_kecamatan.geojson and *_kelurahan.geojson in
    PANTAU_BOUNDARIES_DIR. Areas are upserted by official code; invalid geometry
    is repaired and reported, overlaps and gaps between neighbours are reported,
    and open complaints are re-routed.
    """
    if paths and not level:
        raise click.UsageError("--level is required with PATHS")
    files = [(p, level) for p in paths] if paths else default_files(get_settings().boundaries_dir)
    if not files:
        raise click.ClickException(f"no boundary files in {get_settings().boundaries_dir}")
    try:
        _import_files(files, _parse_fields(fields))  # type: ignore[arg-type]
    except BoundaryFileError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("import-complaints")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", default="walk_in", show_default=True, help="Channel of rows that do not name one.")
def import_complaints_command(path: Path, channel: str) -> None:
    """Load complaints from CSV or GeoJSON and route them all in one SQL statement.

    Columns: category, description, lat, lon (or a Point geometry), and optionally
    channel, created_at, address, reporter_name, reporter_contact, anonymous,
    confidential, source. A bad row is reported with its line number; the rest load.
    """
    with get_engine().begin() as conn, click.progressbar(length=0, label="staging", file=sys.stderr) as bar:
        try:
            result = import_complaints(conn, path, channel, progress=bar.update)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        counts = {"read": result.read, "stored": result.stored, "duplicates": result.duplicates}
        record(conn, "complaints_imported", actor=CLI, target=str(path), detail={**counts, "bad": len(result.errors)})
    for line, message in result.errors:
        click.echo(f"{path.name}:{line}: {message}", err=True)
    click.echo(
        f"read {result.read}, stored {result.stored} ({result.outside} outside every boundary, kept as luar_wilayah), "
        f"duplicates skipped {result.duplicates}, bad rows {len(result.errors)}"
    )


@click.command("seed-demo")
@click.option("--count", default=None, type=click.IntRange(1), help="How many complaints (default PANTAU_DEMO_COUNT).")
@click.option("--seed", default=7, show_default=True, help="Random seed, for a repeatable demo.")
def seed_demo_command(count: int | None, seed: int) -> None:
    """Create realistic demo complaints over the last 90 days on the loaded kelurahan."""
    count = count or get_settings().demo_count
    with get_engine().begin() as conn, click.progressbar(length=count, label="demo complaints", file=sys.stderr) as bar:
        if boundary_counts(conn)["kelurahan"] == 0:
            raise click.ClickException("no kelurahan loaded: run import-boundaries first")
        stored = seed_demo(conn, get_store(), count, seed=seed, progress=bar.update)
    settle_after_bulk_load(get_engine())
    click.echo(f"seeded {stored} demo complaints")


@click.command("reroute")
def reroute_command() -> None:
    """Re-route every open complaint against the current boundaries."""
    result = reroute_open()
    click.echo(f"re-routed {result.changed} open complaints")


users = AppGroup("users", help="Staff accounts.")


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--opd", default=None, help="Limit the account to this agency's complaints (opd, field, leader).")
@click.option(
    "--kecamatan",
    multiple=True,
    help="Limit the account to complaints in this kecamatan (every role but admin); repeatable.",
)
@click.option(
    "--kota",
    multiple=True,
    help="Limit the account to complaints of this city (a kota/kabupaten code, e.g. 3671; every role but admin);"
    " repeatable.",
)
@click.option(
    "--provinsi",
    multiple=True,
    help="Limit the account to the cities of this province that Pantau serves (e.g. 36 for Banten); repeatable.",
)
@click.option("--email", default=None, help="Where reminders and escalations of overdue work reach the account.")
def users_create_command(
    username: str,
    role: str,
    opd: str | None,
    kecamatan: tuple[str, ...],
    kota: tuple[str, ...],
    provinsi: tuple[str, ...],
    email: str | None,
) -> None:
    """Create a staff account; the password is read from standard input.

    --opd, --kecamatan and --kota/--provinsi limit what the account reaches on every
    page, action and export, together (an agency in two kecamatan reaches its
    complaints there only). An option that would mean nothing for the role is refused.
    """
    wrong = [c for c in kota if not (c.isdigit() and len(c) == 4)] + [
        c for c in provinsi if not (c.isdigit() and len(c) == 2)
    ]
    if wrong:
        raise click.UsageError(f"--kota takes a 4-digit code (3671), --provinsi a 2-digit one (36); not {wrong[0]!r}")
    cities = [*kota, *provinsi]
    refused = scope_option_refusal(role, opd, kecamatan, cities)
    if refused:
        raise click.UsageError(refused)
    password = sys.stdin.readline().rstrip("\n")
    try:
        with get_engine().begin() as conn:
            create_user(conn, username, password, role, opd, list(kecamatan), kota=cities, email=email, actor=CLI)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {role} {username}")


def _account_change(done: str, change: Callable[..., object], username: str, *args: object) -> None:
    try:
        with get_engine().begin() as conn:
            change(conn, username, *args, actor=CLI)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{done} {username}")


@users.command("deactivate")
@click.argument("username")
def users_deactivate_command(username: str) -> None:
    """Stop USERNAME from logging in; its bearer tokens and sessions stop working at once."""
    _account_change("deactivated", set_active, username, False)


@users.command("activate")
@click.argument("username")
def users_activate_command(username: str) -> None:
    """Let a deactivated USERNAME log in again (tokens issued before stay invalid)."""
    _account_change("activated", set_active, username, True)


@users.command("set-password")
@click.argument("username")
def users_set_password_command(username: str) -> None:
    """Give USERNAME a new password, read from standard input; its tokens and sessions end at once."""
    password = sys.stdin.readline().rstrip("\n")
    _account_change("new password for", set_password, username, password)


@users.command("unlock")
@click.argument("username")
def users_unlock_command(username: str) -> None:
    """Clear the log-in back-off of USERNAME (failed attempts from every address)."""
    _account_change("cleared the log-in back-off of", unlock, username)


api_key = AppGroup("api-key", help="Keys for Open311 clients.")


@api_key.command("create")
@click.argument("name")
@click.option(
    "--rate",
    default=None,
    metavar="N/PERIOD",
    help="Most POST requests this client may make, e.g. 600/minute (default PANTAU_API_KEY_RATE).",
)
def api_key_create_command(name: str, rate: str | None) -> None:
    """Create an API key named NAME; the key is printed on the last line, once."""
    try:
        with get_engine().begin() as conn:
            key = create_api_key(conn, name, actor=CLI, rate=rate)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"API key for {name} (shown once, keep it safe):")
    click.echo(key)


@api_key.command("revoke")
@click.argument("name")
def api_key_revoke_command(name: str) -> None:
    """Revoke the API key named NAME: Open311 refuses it from the next request on."""
    try:
        with get_engine().begin() as conn:
            revoke_api_key(conn, name, actor=CLI)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked the API key {name}")


door = AppGroup("door", help="Doors to other jurisdictions' own systems (Open311), for forwarded reports.")


@door.command("set")
@click.argument("code")
@click.option("--open311", "url", required=True, metavar="URL", help="The Open311 GeoReport v2 base URL.")
@click.option("--api-key", required=True, help="The key that system gave Pantau (stored encrypted).")
@click.option("--jurisdiction-id", default=None, help="Its jurisdiction_id, when it serves several.")
@click.option(
    "--map", "mapping", multiple=True, metavar="CATEGORY=CODE", help="Pantau's category and its service code there."
)
def door_set_command(code: str, url: str, api_key: str, jurisdiction_id: str | None, mapping: tuple[str, ...]) -> None:
    """Create or replace the door of jurisdiction CODE (a Kemendagri code, e.g. 3674)."""
    from flask import current_app

    from services.doors import DoorInputError, parse_map, set_door

    try:
        stored = set_door(
            code,
            protocol="open311",
            base_url=url,
            api_key=api_key,
            remote_jurisdiction=jurisdiction_id,
            service_map=parse_map(mapping),
            secret=current_app.config["SECRET_KEY"],
            actor=CLI,
        )
    except DoorInputError as exc:
        raise click.ClickException(str(exc)) from exc
    mapped = ", ".join(f"{k}={v}" for k, v in sorted(stored["service_map"].items())) or "no categories mapped"
    click.echo(f"door to {stored['jurisdiction_name']} ({stored['jurisdiction_code']}): open311 {url}; {mapped}")


@door.command("list")
def door_list_command() -> None:
    """Every door, its categories and handovers (never its key)."""
    from services.doors import list_doors

    for row in list_doors():
        mapped = ", ".join(f"{k}={v}" for k, v in sorted(row["service_map"].items())) or "-"
        click.echo(
            f"{row['jurisdiction_code']}  {row['jurisdiction_name']}  {row['protocol']} {row['base_url']}  "
            f"map: {mapped}  open: {row['open_handovers']}  failed: {row['failed_handovers']}"
        )


@door.command("remove")
@click.argument("code")
def door_remove_command(code: str) -> None:
    """Remove the door of CODE: forwards there become manual handovers again."""
    from services.doors import DoorInputError, remove_door

    try:
        remove_door(code, CLI)
    except DoorInputError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"removed the door of {code}")


@click.command("audit")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="How many events.")
@click.option("--action", type=click.Choice(ACTIONS), help="Only this action.")
@click.option("--user", "username", metavar="USERNAME", help="Only what this staff account did.")
def audit_command(limit: int, action: str | None, username: str | None) -> None:
    """Print the newest audit events (log-ins, exports, accounts, loads), one per line, newest first, in WIB."""
    with get_engine().connect() as conn:
        user_id = None
        if username:
            account = load_user(conn, username=username)
            if account is None:
                raise click.ClickException(f"no staff account {username!r}")
            user_id = account["id"]
        events = recent(conn, limit, action=action, user_id=user_id)
    for e in events:
        who = e["actor"] or (f"#{e['actor_user_id']}" if e["actor_user_id"] else "-")
        parts = [
            e["at"].astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S WIB"),
            e["action"],
            f"{who} ({e['actor_role']})",
            f"target={json.dumps(e['target'], ensure_ascii=False)}" if e["target"] is not None else "",
            json.dumps(e["detail"], ensure_ascii=False, sort_keys=True) if e["detail"] else "",
            f"client={e['client']}" if e["client"] else "",
            f"request={e['request_id']}" if e["request_id"] else "",
        ]
        click.echo("  ".join(p for p in parts if p))


def stop_on_signals(stop: threading.Event) -> None:
    """Set ``stop`` on SIGTERM or SIGINT, once.

    A handler runs in the main thread between two of its steps, and so also inside its own earlier call:
    with ``make run``'s SIGTERM reaching the worker twice (the process group's, and the one scripts/run.sh
    forwards), the second call could land while the first held the event's lock, which is not reentrant,
    and wait for it forever. Only the first call sets the event; a call nested in it before it got that
    far sets it in its place, and the outer one then finds the lock free.
    """
    stopping: list[bool] = []

    def handler(_signum: int, _frame: object) -> None:
        if stopping:
            return
        stopping.append(True)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)


@click.command("notify")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--if-enabled", is_flag=True, help="Do nothing when PANTAU_NOTIFY_WORKER is 0 (make run uses this).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 32), help="Messages sent at once.")
@click.option("--poll-ms", default=1000, show_default=True, type=click.IntRange(10), help="Idle look-up interval.")
def notify_command(once: bool, if_enabled: bool, threads: int, poll_ms: int) -> None:
    """Deliver the messages to reporters (SMS, WhatsApp, e-mail) from the outbox until stopped, and send the
    reports forwarded through doors to other jurisdictions' systems, fetching their status back.

    Several may run at once, on one machine or more. SIGTERM or Ctrl-C stops
    after the messages in hand; one left unrecorded is sent again (same
    idempotency key) once its lease runs out.
    """
    from flask import current_app

    from api.request_log import StderrHandler
    from federation.worker import DoorWorker
    from federation.worker import logger as door_logger
    from notify.senders import SmtpUrlError
    from notify.worker import crew, logger, side_by_side

    settings = get_settings()
    if if_enabled and not settings.notify_worker:
        click.echo("notify: PANTAU_NOTIFY_WORKER=0, not started")
        return
    for log in (logger, door_logger):
        log.handlers = [StderrHandler()]
        log.setLevel(logging.INFO)
        log.propagate = False
    try:
        workers = crew(get_engine(), settings, current_app.config["SECRET_KEY"], threads)
    except SmtpUrlError as exc:
        raise click.ClickException(str(exc)) from exc
    doors = DoorWorker(get_engine(), settings, current_app.config["SECRET_KEY"], workers[0].stop)
    if once:
        sent = 0
        while doors.send_one():
            sent += 1
        doors.poll(force=True)
        click.echo(f"delivered {sum(side_by_side(workers, 'drain'))} messages; {sent} handovers tried")
        return
    stop_on_signals(workers[0].stop)
    door_thread = threading.Thread(target=doors.run, kwargs={"idle_s": poll_ms / 1000}, name="doors", daemon=True)
    door_thread.start()
    logger.info("notify worker ready", extra={"fields": {"event": "notify_ready", "threads": threads}})
    side_by_side(workers, "run", poll_s=poll_ms / 1000)
    door_thread.join(30)


@click.command("chase")
def chase_command() -> None:
    """Remind and escalate overdue stages now (the delivery worker does it every PANTAU_CHASE_INTERVAL_S)."""
    with get_engine().begin() as conn:
        done = chase(conn, get_settings().escalate_after_days)
    for item in done:
        click.echo(f"{item.kind} {item.tracking_code} {item.stage} ({item.recipients} told)")
    click.echo(f"{len(done)} sent")


@click.command("reindex")
def reindex_command() -> None:
    """Rebuild the open complaints' indexes now, without blocking anyone (the delivery worker does it every
    PANTAU_REINDEX_INTERVAL_H hours)."""
    done = rebuild_open_indexes(get_engine())
    if done is None:
        raise click.ClickException("another rebuild is running; try again when it has finished")
    for item in done:
        click.echo(f"{item.name}: {item.bytes_before / 2**20:.1f} MB -> {item.bytes_after / 2**20:.1f} MB")


rollup = AppGroup("rollup", help="The leaders' rollups of closed complaints (migration 0020).")


@rollup.command("rebuild")
def rollup_rebuild_command() -> None:
    """Recompute the rollups from the complaints (they are kept as complaints change; this repairs or checks them)."""
    with get_engine().begin() as conn:
        held = rebuild_rollups(conn)
    click.echo(f"rollups rebuilt: {held} closed complaints")


@click.command("migrate")
def migrate_command() -> None:
    """Apply database migrations."""
    migrate_database()
    click.echo("database schema is current")


@click.command("bootstrap")
def bootstrap_command() -> None:
    """Everything make run needs: migrations, catalogue, boundaries if none, demo data if wanted."""
    settings = get_settings()
    migrate_database()
    with get_engine().begin() as conn:
        counts = boundary_counts(conn)
    if counts["kelurahan"] == 0:
        files = default_files(settings.boundaries_dir)
        if not files:
            raise click.ClickException(
                f"no boundary files in {settings.boundaries_dir}; set PANTAU_BOUNDARIES_DIR or run import-boundaries"
            )
        _import_files(files, {})
    with get_engine().begin() as conn:
        catalogue = load_catalogue(conn)
        try:
            catalogue["jurisdiction"] = load_jurisdictions(conn, settings.jurisdictions_file)
        except JurisdictionFileError as exc:
            raise click.ClickException(f"{exc}; set PANTAU_JURISDICTIONS_FILE") from None
        record(conn, "catalogue_loaded", actor=CLI, detail=catalogue)
        empty = complaint_count(conn) == 0
        counts = boundary_counts(conn)
    click.echo(
        f"catalogue: {catalogue['opd']} OPD, {catalogue['category']} categories, {catalogue['holiday']} holidays, "
        f"{catalogue['jurisdiction']} jurisdictions; "
        f"areas: {counts['kota']} kota, {counts['kecamatan']} kecamatan, {counts['kelurahan']} kelurahan"
    )
    if (settings.demo or (settings.demo is None and empty)) and empty:
        with get_engine().begin() as conn:
            stored = seed_demo(conn, get_store(), settings.demo_count)
        settle_after_bulk_load(get_engine())
        click.echo(f"seeded {stored} demo complaints (PANTAU_DEMO=0 to skip)")
    click.echo(f"ready: {database_url(settings).split('@')[-1]}")


COMMANDS = [
    import_boundaries_command,
    import_complaints_command,
    seed_demo_command,
    reroute_command,
    users,
    api_key,
    door,
    audit_command,
    notify_command,
    chase_command,
    reindex_command,
    rollup,
    migrate_command,
    bootstrap_command,
]
