"""Status names live in the status machine (db/status.py) only: SQL names the lists it needs as placeholders.

A status typed into a query by hand is how a query and the machine drift apart (a new status missing from
an "open" list, a re-routing that changes statuses the machine does not know). These tests fail on any
quoted status name in the code and on any placeholder that nothing fills.
"""

import re
from pathlib import Path

import pytest

from db.sql import fill_statuses, raw_sql, sql
from db.status import ACTIONS, CLOSED_STATUSES, INTAKE_OUTSIDE, OPEN_STATUSES, Status, status_lists

ROOT = Path(__file__).resolve().parents[2]
QUOTED_STATUS = re.compile("['\"](" + "|".join(s.value for s in Status) + ")['\"]")
# Exempt, and why:
EXEMPT = {
    # The machine itself: the one place the names are written.
    "db/status.py",
}
EXEMPT_DIRS = (
    # Migrations are history: each records the schema as it was created (the status CHECK constraint, the
    # partial indexes). Rewriting one would not change a database already migrated; a change of the machine
    # that the schema must follow is a new migration.
    "db/migrations/",
    # Tests state what a user sees, in the names a user sees.
    "tests/",
    ".venv/",
    "var/",
)
# Placeholders filled by the module that loads the statement (not status lists), and where.
OTHER_PLACEHOLDERS = {
    "scope": "db/scope.py (scoped_sql) and db/wall.py",
    "area_scope": "db/wall.py",
    "count_scope": "db/wall.py",
    "level": "db/wall.py",
    "drawable": "db/wall.py",
    "public_photos": "db/wall.py",
    "filter": "db/wall.py",
    "order": "db/wall.py",
    "areas": "db/wall.py",
    "where": "db/leaders.py",
    "export": "db/leaders.py",
    "live": "db/leaders.py",
    "rolled": "db/leaders.py",
    "bin_sets": "db/leaders.py",
    "counts": "db/leaders.py",
    "days": "db/leaders.py",
    "hist": "db/leaders.py",
    "table": "db/leaders.py",
    "month_where": "db/leaders.py",
    "day_where": "db/leaders.py",
}
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)\}")


def _sources() -> list[Path]:
    found = []
    for pattern in ("**/*.py", "**/*.sql", "**/*.js"):
        for path in ROOT.glob(pattern):
            name = path.relative_to(ROOT).as_posix()
            if name in EXEMPT or name.startswith(EXEMPT_DIRS):
                continue
            found.append(path)
    return found


def test_no_status_name_is_typed_outside_the_status_machine() -> None:
    files = _sources()
    assert any(p.suffix == ".sql" for p in files) and any(p.name == "workflow.py" for p in files)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if QUOTED_STATUS.search(line)
    ]
    assert not offenders, "write a status list placeholder ({closed}, {forward.target}…) instead:\n" + "\n".join(
        offenders
    )


SQL_FILES = sorted((ROOT / "db" / "sql").glob("*.sql"))


@pytest.mark.parametrize("path", SQL_FILES, ids=[p.stem for p in SQL_FILES])
def test_every_placeholder_is_a_status_list_or_filled_by_its_module(path: Path) -> None:
    known = set(status_lists())
    for name in PLACEHOLDER.findall(path.read_text()):
        assert name in known or name in OTHER_PLACEHOLDERS, f"{path.name}: {{{name}}} is filled by nothing"
    # Once loaded, no status placeholder is left.
    left = set(PLACEHOLDER.findall(raw_sql(path.stem)))
    assert left <= set(OTHER_PLACEHOLDERS), left


def test_lists_are_quoted_in_lifecycle_order_and_follow_the_machine() -> None:
    assert fill_statuses("status NOT IN ({closed})") == "status NOT IN ('selesai', 'ditolak', 'duplikat')"
    assert {s.value for s in CLOSED_STATUSES} | {s.value for s in OPEN_STATUSES} == {s.value for s in Status}
    assert fill_statuses("{reroute_out.target}") == f"'{INTAKE_OUTSIDE.value}'"
    for action in ACTIONS.values():
        sources = fill_statuses(f"{{{action.name}.sources}}")
        assert sources == ", ".join(f"'{s.value}'" for s in Status if s in action.sources)
    # Braces that are no status placeholder (an empty array literal, another module's) are left alone.
    assert fill_statuses("'{}' {scope} {nobody.knows}") == "'{}' {scope} {nobody.knows}"


def test_re_routing_changes_statuses_only_through_the_machines_reroute_actions() -> None:
    statement = sql("reroute_open").text
    outside, inside = ACTIONS["reroute_out"], ACTIONS["reroute_in"]
    assert outside.target is not None and inside.target is not None
    assert f"c.status IN ({fill_statuses('{reroute_out.sources}')}) THEN '{outside.target.value}'" in statement
    assert f"c.status IN ({fill_statuses('{reroute_in.sources}')}) THEN '{inside.target.value}'" in statement
