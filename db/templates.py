"""Reply templates (migration 0020): what admins prepare for staff to answer reporters, per category.

The one writer of ``response_template``. Filling in the placeholders is ``services/templates.py``.
"""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, text

_COLUMNS = (
    "t.id, t.title, t.body, t.active, t.updated_at, t.category_id, cat.code AS category_code, "
    "cat.name_id AS category_name_id, cat.name_en AS category_name_en, u.username AS updated_by"
)
_FROM = (
    "FROM response_template t LEFT JOIN category cat ON cat.id = t.category_id "
    "LEFT JOIN app_user u ON u.id = t.updated_by"
)


def every_template(conn: Connection) -> list[RowMapping]:
    """Every template, active first, by category (every-category ones first) and title."""
    return list(
        conn.execute(
            text(f"SELECT {_COLUMNS} {_FROM} ORDER BY NOT t.active, cat.code NULLS FIRST, t.title, t.id")
        ).mappings()
    )


def template(conn: Connection, template_id: int) -> RowMapping | None:
    return conn.execute(text(f"SELECT {_COLUMNS} {_FROM} WHERE t.id = :id"), {"id": template_id}).mappings().first()


def templates_for(conn: Connection, category: str) -> list[RowMapping]:
    """The active templates a reply on a report of category ``category`` (its code) may start from: its own, then
    every category's."""
    return list(
        conn.execute(
            text(
                f"SELECT {_COLUMNS} {_FROM} WHERE t.active AND (cat.code = :c OR t.category_id IS NULL) "
                "ORDER BY t.category_id IS NULL, t.title, t.id"
            ),
            {"c": category},
        ).mappings()
    )


def category_id(conn: Connection, code: str) -> int | None:
    return conn.execute(text("SELECT id FROM category WHERE code = :c"), {"c": code}).scalar()


def save_template(
    conn: Connection,
    template_id: int | None,
    category: int | None,
    title: str,
    body: str,
    active: bool,
    user_id: int | None,
) -> int | None:
    """Create (``template_id`` None) or change a template; returns its id, None when ``template_id`` is unknown."""
    values = {"c": category, "t": title, "b": body, "a": active, "u": user_id, "id": template_id}
    if template_id is None:
        return int(
            conn.execute(
                text(
                    "INSERT INTO response_template (category_id, title, body, active, updated_by) "
                    "VALUES (:c, :t, :b, :a, :u) RETURNING id"
                ),
                values,
            ).scalar_one()
        )
    changed = conn.execute(
        text(
            "UPDATE response_template SET category_id = :c, title = :t, body = :b, active = :a, updated_by = :u, "
            "updated_at = now() WHERE id = :id RETURNING id"
        ),
        values,
    ).scalar()
    return None if changed is None else int(changed)
