"""Alembic environment. The caller passes target metadata in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from cxloop.store.engine import make_engine

config = context.config
target_metadata = config.attributes.get("target_metadata")


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
