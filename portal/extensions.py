"""Flask extensions, created unbound here and bound to the app in create_app()."""

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

# Stable constraint names, so Alembic can compare and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()


def insert_one(model, values):
    """INSERT one row of `model` with SQLAlchemy Core and return it as a persistent object, as if
    a query had loaded it: the unit of work is skipped, about five times cheaper for a row that is
    written once on a busy path (a villager's filing). `values` are by attribute name; columns not
    given get their Python-side default or NULL, and a column with a server default is loaded when read.
    """
    mapper = sa_inspect(model)
    table = mapper.local_table
    attrs = {prop.columns[0].key: prop.key for prop in mapper.column_attrs}
    result = db.session.connection().execute(
        insert(table), {prop.columns[0].key: values[prop.key] for prop in mapper.column_attrs if prop.key in values})
    row = {column.key: None for column in table.columns if column.server_default is None}
    row.update(result.last_inserted_params())
    row.update(zip((column.key for column in table.primary_key), result.inserted_primary_key))
    obj = model(**{attrs[key]: value for key, value in row.items() if key in attrs})
    make_transient_to_detached(obj)  # what was set reads as loaded from the database, with no pending change
    # merged, not added: after a rollback the same primary key may come back, as for a row a query loaded
    return db.session.merge(obj, load=False)
