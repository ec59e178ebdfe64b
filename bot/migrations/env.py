"""Alembic environment: migrations run against the URL Turnout was configured with."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from bot import models
from bot.db import create_db_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by bot.db.alembic_config"
    connectable = context.config.attributes.get("connection") or create_db_engine(url)
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            _run(connection)
        connectable.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copying it; SQLite must not enforce foreign keys while a
        # referenced table (state, shift) is dropped and renamed back. Checked again at the end.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=models.render_type,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        driver = connection.connection.driver_connection
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        driver.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:5]}")


run_migrations_online()
