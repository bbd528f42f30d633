"""The schema is managed by migrations, on SQLite and PostgreSQL alike."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lms.extensions import db


def test_migrations_go_down_and_up_again(app):
    downgrade(revision="base")
    assert "users" not in inspect(db.engine).get_table_names()
    upgrade()
    assert "users" in inspect(db.engine).get_table_names()


def test_models_match_the_migrations(app):
    """A model changed without its migration would show here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


@pytest.mark.postgres
def test_timestamps_keep_their_time_zone_on_postgresql(create_user):
    user = create_user()
    db.session.expire_all()
    assert user.created_at.tzinfo is not None
    assert db.engine.dialect.name == "postgresql"
