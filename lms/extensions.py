"""Extensions are created once here and bound to the app in the factory."""

import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # SQLite ignores ON DELETE CASCADE unless asked: erasing an account must erase its data.
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # WAL: pages keep reading while the forwarder writes; NORMAL sync is safe under WAL.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # A checkpoint copies the WAL's pages into the database file: every 10,000 pages
        # (40 MB) rather than 1,000, a page that many commits write (an index's last leaf, a
        # learner's row) is copied once, not ten times; a statement's write cost a third less.
        # Under NORMAL a power cut can lose the commits since the last checkpoint: more of
        # them now, which is why production runs on PostgreSQL.
        dbapi_connection.execute("PRAGMA wal_autocheckpoint = 10000")


def check_limits_on_their_routes_only(app) -> None:
    """Every limit of the platform is on its route (@limiter.limit), whose wrapper checks it.
    The check Flask-Limiter also runs before every request adds only default, application and
    blueprint limits, of which the platform has none: removing it spares every other page that
    work (a twentieth of a lesson page's time). A default or blueprint limit would need it back.
    """
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:  # not there when limits are off (RATELIMIT_ENABLED)
        checks.remove(limiter._check_request_limit)
