"""Alembic environment: migrates the database named by the settings (or by -x url=...)."""

from alembic import context
from sqlalchemy import create_engine, pool

from db.drift import COMPARE_OPTIONS
from db.engine import database_url
from db.models import Base
from settings import get_settings

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url") or database_url(get_settings())
connectable = config.attributes.get("connection") or create_engine(url, poolclass=pool.NullPool)


def run(connection) -> None:
    # The same comparison as the drift test (db/drift.py), so `alembic check` agrees with it.
    context.configure(connection=connection, target_metadata=Base.metadata, **COMPARE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(connectable, "connect"):
    with connectable.connect() as connection:
        run(connection)
else:
    run(connectable)
