"""Flask extensions, created unbound here and bound to the app in create_app()."""

import functools

from flask import session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached

from . import ratelimits  # noqa: F401  (registers worker-memory:// with limits, the limiter's default storage)

# Stable constraint names, so Alembic can compare and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PortalLoginManager(LoginManager):
    """Flask-Login whose session protection guards sessions that hold a login.

    Upstream treats any non-empty session without its identifier as stolen
    (maxcountryman/flask-login#569), so in "strong" mode a villager's session holding only a
    CSRF token or a language choice was rewritten on every request, with a remember-cookie
    deletion: each answer set cookies and no page could come from the cache. A session without
    a user id has no login to protect and is now let through as an empty one is.
    """

    def _session_protection_failed(self):
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = PortalLoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()


@functools.cache
def _columns_of(model):
    """(mapper, [(attribute name, column key)], [column keys of the primary key]) of a mapped class."""
    mapper = sa_inspect(model)
    return (mapper, [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs],
            [column.key for column in mapper.primary_key])


def insert_row(model, values):
    """INSERT one row of `model` with SQLAlchemy Core; return its column values as the database now
    holds them (by column key), for as_loaded() once the transaction has committed. The unit of work
    is skipped: about five times cheaper for a row that is written once on a busy path (a
    villager's filing). `values` are by attribute name; columns not given get their Python-side
    default or NULL, and a column with a server default is loaded when read.
    """
    mapper, columns, primary_key = _columns_of(model)
    table = mapper.local_table
    result = db.session.connection().execute(
        insert(table), {column: values[attr] for attr, column in columns if attr in values})
    row = {column.key: None for column in table.columns if column.server_default is None}
    row.update(result.last_inserted_params())
    row.update(zip(primary_key, result.inserted_primary_key))
    return row


def as_loaded(model, row):
    """The persistent object of `model` for `row` (column values known to be what the database holds,
    e.g. kept from an earlier query), without a query: the one already in the session, if any."""
    mapper, columns, primary_key = _columns_of(model)
    session = db.session()
    obj = session.identity_map.get(mapper.identity_key_from_primary_key([row[key] for key in primary_key]))
    if obj is None:
        # built as a query builds what it loads: no constructor, no change events, values straight in
        obj = mapper.class_manager.new_instance()
        obj.__dict__.update({attr: row[column] for attr, column in columns if column in row})
        make_transient_to_detached(obj)  # what was set reads as loaded from the database, with no pending change
        session.add(obj)
    return obj
