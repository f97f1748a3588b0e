"""Alembic environment: migrates the database named by the settings (or by -x url=...)."""

from alembic import context
from sqlalchemy import create_engine, pool

from db.engine import database_url
from db.models import Base
from settings import get_settings

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url") or database_url(get_settings())


def include_object(obj, name, type_, reflected, compare_to):
    # PostGIS owns these tables; they are not ours to migrate.
    return not (type_ == "table" and name in {"spatial_ref_sys"})


connectable = config.attributes.get("connection") or create_engine(url, poolclass=pool.NullPool)


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(connectable, "connect"):
    with connectable.connect() as connection:
        run(connection)
else:
    run(connectable)
