"""Backups: the database and every stored photo in one tar archive, each member with its SHA-256.

``make backup`` writes ``$PANTAU_DATA_DIR/backups/pantau-YYYYmmdd-HHMMSS.tar`` holding

- ``database.dump``: ``pg_dump --format=custom`` of the configured database;
- ``photos/<key>``: every photo and thumbnail the database refers to, read through the
  configured store (local folder or S3), so a backup moves between the two;
- ``backup.json``: when, which database and schema revision, how many complaints and photos;
- ``MANIFEST.sha256``: ``<sha256>  <member>`` for every other member (``sha256sum -c`` reads it).

``make restore FILE=…`` checks every member against the manifest, and that nothing is missing
or extra, before it touches anything; then ``pg_restore --clean --if-exists --single-transaction``
replaces the database as one transaction, and the photos are written back into the store.

Run as ``python -m services.backup backup`` / ``python -m services.backup restore ARCHIVE``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import database_url, get_engine
from photos.store import PhotoStore, get_store
from settings import get_settings

MANIFEST = "MANIFEST.sha256"
DUMP = "database.dump"
INFO = "backup.json"
PHOTOS = "photos/"
_CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup that cannot be made, or an archive that must not be restored; ``changed`` if a restore got halfway."""

    def __init__(self, message: str, changed: bool = False):
        super().__init__(message)
        self.changed = changed


def _say(message: str) -> None:
    click.echo(f"pantau: {message}", err=True)


def _libpq_env(url: str) -> dict[str, str]:
    """The PG* variables pg_dump and pg_restore need to reach ``url`` (the password never on a command line)."""
    parsed = make_url(url)
    query = {key: str(value) for key, value in parsed.query.items()}
    values = {
        "PGHOST": parsed.host or query.get("host"),
        "PGPORT": str(parsed.port) if parsed.port else query.get("port"),
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
        "PGSSLMODE": query.get("sslmode"),
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _pg_bin(program: str, server_major: int) -> str:
    """The client matching the server's major version, else the newest installed (it reads older servers)."""
    exact = Path(f"/usr/lib/postgresql/{server_major}/bin/{program}")
    if exact.exists():
        return str(exact)
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), key=lambda p: int(p.parts[-3]))
    if installed:
        return str(installed[-1])
    raise BackupError(f"{program} not found; install postgresql-client-{server_major}")


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _sha256_file(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, when: float) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(when), 0o600
    archive.addfile(info, io.BytesIO(data))
    return hashlib.sha256(data).hexdigest()


def photo_keys(conn: Any) -> list[str]:
    """Every stored file the database refers to: photos and their thumbnails."""
    return list(
        conn.execute(
            text(
                "SELECT storage_key FROM photo UNION SELECT thumb_key FROM photo WHERE thumb_key IS NOT NULL ORDER BY 1"
            )
        ).scalars()
    )


def make_backup(directory: Path | None = None, store: PhotoStore | None = None) -> Path:
    """Write a new archive and return its path."""
    url = database_url(get_settings())
    store = store or get_store()
    directory = directory or get_settings().data_dir / "backups"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)  # backups hold reporters' names and numbers
    now = datetime.now(UTC)
    path = directory / f"pantau-{now:%Y%m%d-%H%M%S}.tar"
    if path.exists():
        raise BackupError(f"{path} exists already; wait a second and try again")
    with get_engine().connect() as conn:
        major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    env = _libpq_env(url)
    partial = path.with_suffix(".tar.partial")
    sums: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(dir=directory) as scratch:
            dump = Path(scratch) / DUMP
            _say(f"dumping database {env.get('PGDATABASE')}")
            _run([_pg_bin("pg_dump", major), "--format=custom", "--no-owner", f"--file={dump}"], env)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                with open(dump, "rb") as handle:
                    sums[DUMP] = _sha256_file(handle)
                tar.add(dump, arcname=DUMP, filter=_private)
                # Listed after the dump: every photo row in the dump has its file (files are written first).
                with get_engine().connect() as conn:
                    keys = photo_keys(conn)
                    counts = {
                        "complaints": conn.execute(text("SELECT count(*) FROM complaint")).scalar_one(),
                        "photos": conn.execute(text("SELECT count(*) FROM photo")).scalar_one(),
                    }
                _say(f"adding {len(keys)} photo files")
                missing = []
                for key in keys:
                    try:
                        data = store.get(key)
                    except FileNotFoundError:
                        missing.append(key)
                        continue
                    sums[PHOTOS + key] = _add_bytes(tar, PHOTOS + key, data, now.timestamp())
                if missing:
                    raise BackupError(f"{len(missing)} photo files the database refers to are missing: {missing[:5]}")
                info = {
                    "created_at": now.isoformat(),
                    "database": env.get("PGDATABASE"),
                    "server_version": major,
                    "schema_revision": revision,
                    "photo_files": len(keys),
                    **counts,
                }
                sums[INFO] = _add_bytes(tar, INFO, json.dumps(info, indent=2).encode(), now.timestamp())
                manifest = "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))
                _add_bytes(tar, MANIFEST, manifest.encode(), now.timestamp())
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _read_manifest(tar: tarfile.TarFile) -> dict[str, str]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(f"not a Pantau backup: no {MANIFEST} in the archive") from None
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{MANIFEST} is not a file")
    sums = {}
    for number, line in enumerate(handle.read().decode().splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise BackupError(f"{MANIFEST} line {number} is malformed")
        sums[name] = digest
    return sums


def verify(path: Path) -> dict[str, str]:
    """Check every member against the manifest; raises BackupError naming what is wrong."""
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115  (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a readable archive: {exc}") from exc
    with tar:
        sums = _read_manifest(tar)
        if DUMP not in sums or INFO not in sums:
            raise BackupError(f"the manifest does not list {DUMP} and {INFO}")
        seen = set()
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if not member.isfile():
                raise BackupError(f"unexpected {member.name!r}: only plain files belong in a backup")
            if member.name not in sums:
                raise BackupError(f"{member.name!r} is in the archive but not in the manifest")
            if member.name != DUMP and member.name != INFO and not member.name.startswith(PHOTOS):
                raise BackupError(f"unexpected member {member.name!r}")
            handle = tar.extractfile(member)
            assert handle is not None
            if _sha256_file(handle) != sums[member.name]:
                raise BackupError(f"checksum mismatch for {member.name!r}: the archive is damaged")
            seen.add(member.name)
        missing = sorted(set(sums) - seen)
        if missing:
            raise BackupError(f"{len(missing)} files listed in the manifest are missing, e.g. {missing[0]!r}")
    return sums


def restore_backup(path: Path, store: PhotoStore | None = None) -> dict[str, Any]:
    """Verify ``path``, then replace the database with its dump and put its photos back; returns backup.json."""
    sums = verify(path)
    url = database_url(get_settings())
    store = store or get_store()
    env = _libpq_env(url)
    with get_engine().connect() as conn:
        major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    with tarfile.open(path, mode="r:") as tar, tempfile.TemporaryDirectory() as scratch:
        info = json.loads(tar.extractfile(INFO).read())  # type: ignore[union-attr]
        dump = Path(scratch) / DUMP
        with tar.extractfile(DUMP) as source, open(dump, "wb") as target:  # type: ignore[union-attr]
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                target.write(chunk)
        _say(f"restoring database {env.get('PGDATABASE')} from the backup of {info.get('created_at')}")
        get_engine().dispose()  # no pooled connection of ours holds a lock pg_restore waits for
        _run(
            [
                _pg_bin("pg_restore", major),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                f"--dbname={env['PGDATABASE']}",
                str(dump),
            ],
            env,
        )
        photos = [name for name in sums if name.startswith(PHOTOS)]
        _say(f"restoring {len(photos)} photo files")
        try:
            for name in photos:
                store.put(name[len(PHOTOS) :], tar.extractfile(name).read())  # type: ignore[union-attr]
        except Exception as exc:
            raise BackupError(
                f"the database was restored, but writing the photos failed ({exc}); run the restore again",
                changed=True,
            ) from exc
    get_engine().dispose()
    return dict(info)


@click.group()
def main() -> None:
    """Back up and restore Pantau: the database and the photos, in one archive with checksums."""


@main.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help="Where to write it.")
def backup_command(directory: Path | None) -> None:
    """Write an archive; its path is the last line printed."""
    try:
        path = make_backup(directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(path)


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive: Path) -> None:
    """Check ARCHIVE's checksums, then replace the database and photos with its contents."""
    try:
        info = restore_backup(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc) if exc.changed else f"{exc}. Nothing was changed.") from exc
    click.echo(
        f"restored {info.get('complaints')} complaints and {info.get('photo_files')} photo files "
        f"from the backup of {info.get('created_at')}"
    )


if __name__ == "__main__":
    main(prog_name=f"{Path(sys.executable).name} -m services.backup")
