"""Bulk import of complaints from CSV or GeoJSON: read the records, then store and route all in one statement.

Each record is checked as a report by services/intake.py (``import_complaints``) before it is staged here.
"""

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
    new_tracking_code,
    submission_key,
    without_identity,
)
from db.sql import sql

TRUE = {"1", "true", "ya", "yes", "y", "t"}
STAGE_COLUMNS = (
    "line", "tracking_code", "lon", "lat", "address", "description", "category_id", "channel", "source",
    "reporter_name", "reporter_contact", "anonymous", "confidential", "created_at", "submission_key", "attributes",
)  # fmt: skip


@dataclass
class ImportResult:
    read: int = 0
    stored: int = 0
    outside: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def flag(value: Any) -> bool:
    return str(value or "").strip().lower() in TRUE


def when(value: Any) -> datetime | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ComplaintError("created_at", f"not an ISO 8601 time: {value!r}") from None
    # A time without a zone is a local (WIB) time, as the city's own systems write it.
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


def records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
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
            new.created_at or now, submission_key(new), json.dumps(new.attributes),
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
