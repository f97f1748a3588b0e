"""The agency/category catalogue and the holiday list: data files upserted into the database."""

from __future__ import annotations

import csv
import json
from importlib.resources import files
from typing import Any

from sqlalchemy import Connection, text

_DATA = files("db").joinpath("data")


def catalogue_data() -> dict[str, Any]:
    return json.loads(_DATA.joinpath("catalogue.json").read_text())


def load_catalogue(conn: Connection, data: dict[str, Any] | None = None) -> dict[str, int]:
    """Upsert OPDs, categories and category → OPD links; returns counts."""
    data = data or catalogue_data()
    for opd in data["opd"]:
        conn.execute(
            text(
                "INSERT INTO opd (code, name, short_name, jurisdiction_id) "
                "VALUES (:code, :name, :short_name, (SELECT id FROM area WHERE code = :kota AND level = 'kota')) "
                "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name, "
                "jurisdiction_id = coalesce(EXCLUDED.jurisdiction_id, opd.jurisdiction_id)"
            ),
            {"code": opd["code"], "name": opd["name"], "short_name": opd["short_name"], "kota": opd.get("kota")},
        )
    for cat in data["category"]:
        conn.execute(
            text(
                "INSERT INTO category (code, name_id, name_en, target_days, default_opd_id) "
                "VALUES (:code, :name_id, :name_en, :target_days, (SELECT id FROM opd WHERE code = :default_opd)) "
                "ON CONFLICT (code) DO UPDATE SET name_id = EXCLUDED.name_id, name_en = EXCLUDED.name_en, "
                "target_days = EXCLUDED.target_days, default_opd_id = EXCLUDED.default_opd_id"
            ),
            {**{k: cat[k] for k in ("code", "name_id", "name_en", "target_days")}, "default_opd": cat["opd"][0]},
        )
        conn.execute(
            text(
                "INSERT INTO category_opd (category_id, opd_id) "
                "SELECT c.id, o.id FROM category c, opd o WHERE c.code = :code AND o.code = ANY(:opds) "
                "ON CONFLICT DO NOTHING"
            ),
            {"code": cat["code"], "opds": cat["opd"]},
        )
    load_holidays(conn)
    counts = conn.execute(
        text("SELECT (SELECT count(*) FROM opd), (SELECT count(*) FROM category), (SELECT count(*) FROM holiday)")
    ).one()
    return {"opd": counts[0], "category": counts[1], "holiday": counts[2]}


def load_holidays(conn: Connection) -> None:
    """Upsert the holiday list in one statement, so the working-day calendar is refreshed once."""
    rows = list(csv.DictReader(_DATA.joinpath("holidays.csv").read_text().splitlines()))
    conn.execute(
        text(
            "INSERT INTO holiday (day, name)"
            " SELECT day, name FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(day date, name text)"
            " ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name WHERE holiday.name IS DISTINCT FROM EXCLUDED.name"
        ),
        {"rows": json.dumps(rows)},
    )


def category_ids(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(text("SELECT code, id FROM category")).all())


def opd_id(conn: Connection, code: str) -> int | None:
    """The agency with this code, or None."""
    found = conn.execute(text("SELECT id FROM opd WHERE code = :c"), {"c": code}).scalar()
    return int(found) if found is not None else None
