"""Bulk import of complaints from CSV or GeoJSON: validate each row, route all in one statement."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from db.complaints import (
    WIB,
    ComplaintError,
    NewComplaint,
    category_ids,
    new_tracking_code,
    submission_key,
    validate,
    without_identity,
)
from db.sql import sql

TRUE = {"1", "true", "ya", "yes", "y", "t"}
STAGE_COLUMNS = (
    "line", "tracking_code", "lon", "lat", "address", "description", "category_id", "channel", "source",
    "reporter_name", "reporter_contact", "anonymous", "confidential", "created_at", "submission_key",
)  # fmt: skip


@dataclass
class ImportResult:
    read: int = 0
    stored: int = 0
    outside: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _number(value: Any, name: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise ComplaintError(name, f"not a number: {value!r}") from None


def _flag(value: Any) -> bool:
    return str(value or "").strip().lower() in TRUE


def _when(value: Any) -> datetime | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ComplaintError("created_at", f"not an ISO 8601 time: {value!r}") from None
    # A time without a zone is a local (WIB) time, as the city's own systems write it.
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or feature number, properties with lat/lon) for each record of the file."""
    if path.suffix.lower() in {".geojson", ".json"}:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from exc
        for number, feature in enumerate(data.get("features", []), start=1):
            props = dict(feature.get("properties") or {})
            geom = feature.get("geometry") or {}
            if (
                geom.get("type") == "Point"
                and isinstance(geom.get("coordinates"), list)
                and len(geom["coordinates"]) >= 2
            ):
                props["lon"], props["lat"] = geom["coordinates"][:2]
            yield number, props
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                # Line numbers as a spreadsheet shows them: the header is line 1.
                yield reader.line_num, {k.strip().lower(): v for k, v in row.items() if k}


def parse_row(props: dict[str, Any], default_channel: str) -> NewComplaint:
    lat = _number(props.get("lat", props.get("latitude")), "lat")
    lon = _number(props.get("lon", props.get("long", props.get("longitude"))), "lon")
    return NewComplaint(
        category=str(props.get("category") or props.get("kategori") or "").strip(),
        description=str(props.get("description") or props.get("deskripsi") or ""),
        channel=str(props.get("channel") or default_channel).strip(),
        lat=lat,
        lon=lon,
        address=(props.get("address") or None),
        reporter_name=props.get("reporter_name") or None,
        reporter_contact=props.get("reporter_contact") or None,
        anonymous=_flag(props.get("anonymous")),
        confidential=_flag(props.get("confidential")),
        source=props.get("source") or None,
        created_at=_when(props.get("created_at")),
    )


def bulk_store(
    conn: Connection,
    rows: Iterable[tuple[int, NewComplaint, int]],
    progress: Callable[[int], None] | None = None,
    batch: int = 5000,
) -> tuple[int, int, int]:
    """Stage validated (line, complaint, category id) rows with COPY, then store and route them all in one statement.

    Returns (staged, stored, outside every boundary).
    """
    conn.execute(text("DROP TABLE IF EXISTS complaint_stage"))
    conn.execute(sql("complaint_import_stage"))
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    pending: list[tuple[Any, ...]] = []
    staged = 0

    def flush() -> None:
        with cursor.copy(f"COPY complaint_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            for row in pending:
                copy.write_row(row)
        if progress:
            progress(len(pending))
        pending.clear()

    now = datetime.now(WIB)
    for line, given, category_id in rows:
        staged += 1
        new = without_identity(given)
        pending.append((
            line, new_tracking_code(), new.lon, new.lat, new.address, new.description.strip(), category_id,
            new.channel, new.source, new.reporter_name, new.reporter_contact, new.anonymous, new.confidential,
            new.created_at or now, submission_key(new),
        ))  # fmt: skip
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    # The same row twice in one file is one complaint: keep the first.
    conn.execute(
        text(
            "DELETE FROM complaint_stage s USING complaint_stage t "
            "WHERE s.submission_key = t.submission_key AND s.line > t.line"
        )
    )
    stored = conn.execute(sql("complaint_import")).one()
    conn.execute(text("DROP TABLE complaint_stage"))
    return staged, int(stored.stored), int(stored.outside)


def import_complaints(
    conn: Connection,
    path: Path,
    default_channel: str = "walk_in",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Load a file of complaints; bad rows are reported by line and the rest still load."""
    result = ImportResult()
    categories = category_ids(conn)

    def valid_rows() -> Iterator[tuple[int, NewComplaint, int]]:
        for line, props in _records(path):
            result.read += 1
            try:
                new = parse_row(props, default_channel)
                yield line, new, validate(new, categories)
            except ComplaintError as exc:
                result.errors.append((line, str(exc)))

    staged, result.stored, result.outside = bulk_store(conn, valid_rows(), progress)
    result.duplicates = staged - result.stored
    return result
