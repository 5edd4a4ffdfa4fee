"""Configuration: defaults here, then instance/portal.toml, then PORTAL_* and DATABASE_URL."""

import os
import tomllib
from pathlib import Path

import orjson


def json_dumps(value):
    """JSON columns (publication payloads, drafts' statements) written with orjson: several times
    faster than the json module on a 5,000-line statement; keys need not be strings, as with json."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # a key that is not a string: orjson's option for it costs a third more on every dict
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def json_loads(value):
    """JSON columns read with orjson. SQLite gives a column declared JSON numeric affinity, so a
    stored number comes back as a number, already decoded."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


class Defaults:
    SECRET_KEY = None  # generated into instance/secret_key when not configured
    SQLALCHEMY_DATABASE_URI = None  # default: sqlite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"json_serializer": json_dumps, "json_deserializer": json_loads}
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # bytes; larger requests answer 413
    UPLOAD_FOLDER = None  # default: instance/uploads (private/ and public/ inside)
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # one uploaded file
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    RATELIMIT_STORAGE_URI = "worker-memory://"  # portal.ratelimits; redis://… to share limits between workers
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    SEARCH_RATE_LIMIT = "60 per minute"  # searches per client address (each one reads every publication's text)
    LOGIN_MAX_FAILURES = 5  # consecutive failures before the account locks
    LOGIN_LOCK_MINUTES = 15
    # argon2id cost; the tests lower it so that hashing stays fast.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024  # KiB
    CONTENT_DIR = None  # default: content/ beside the portal package
    SITE_NAME = None  # default: the translated product name
    PUBLIC_PAGE_SIZE = 20
    # Public pages rendered for anonymous visitors kept per worker, by ETag and URL (0: none).
    PUBLIC_PAGE_CACHE_SIZE = 256
    PUBLIC_STATE_TTL = 1.0  # seconds a worker trusts the ledger head it read for cookie-less visitors
    # Serve only the public site, from a read-only database connection (a replica, or the main
    # database opened read-only); every write (POST, the console, login) is refused with 503.
    PUBLIC_ONLY = False
    PUBLIC_READONLY_DATABASE_URL = None  # default: SQLALCHEMY_DATABASE_URI, opened read-only
    # Extra plugins by import path, registered beside the entry-point ones (tests use this).
    PORTAL_EXTRA_PLUGINS = ()
    # Plugins never loaded, by entry-point name.
    PORTAL_DISABLED_PLUGINS = ()


def load_config(app, config=None):
    """Fill app.config from the defaults, instance/portal.toml, the environment and `config`."""
    app.config.from_object(Defaults)
    toml_path = Path(app.instance_path) / "portal.toml"
    if toml_path.exists():
        app.config.from_file(str(toml_path), load=tomllib.load, text=False)
    app.config.from_prefixed_env("PORTAL")
    # PORTAL_DISABLED_PLUGINS=hotline lands as DISABLED_PLUGINS: give it the key the host reads.
    for key in ("EXTRA_PLUGINS", "DISABLED_PLUGINS"):
        if key in app.config:
            app.config["PORTAL_" + key] = app.config.pop(key)
    app.config.pop("NEW_PASSWORD", None)  # `portal user create` reads it; config must not keep it
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(os.environ["DATABASE_URL"])
    if config:
        app.config.update(config)
    for key in ("PORTAL_EXTRA_PLUGINS", "PORTAL_DISABLED_PLUGINS"):
        app.config[key] = _name_list(app.config.get(key))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "portal.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    # A pooled connection to a database server may have been dropped (restart, idle timeout):
    # test it before use. One to a local SQLite file cannot be; the ping would be one more statement.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"),
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if app.config.get("PUBLIC_ONLY"):
        url = _normalise_db_url(app.config.get("PUBLIC_READONLY_DATABASE_URL") or app.config["SQLALCHEMY_DATABASE_URI"])
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"] = readonly_database(
            url, app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config.get("CONTENT_DIR"):
        app.config["CONTENT_DIR"] = str(Path(app.root_path).parent / "content")


def _name_list(value):
    """A tuple of names from a list, or from "a,b" as an environment variable gives it."""
    if not value:
        return ()
    if isinstance(value, str):
        # a bare string would otherwise be iterated letter by letter
        return tuple(name.strip() for name in value.split(",") if name.strip())
    return tuple(value)


def _normalise_db_url(url):
    """Use psycopg 3 for postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def readonly_database(url, engine_options=None):
    """(url, engine options) that open the database `url` read-only.

    SQLite: the file opened with mode=ro (URI filename), so the library itself refuses writes.
    PostgreSQL: every transaction starts READ ONLY (default_transaction_read_only), as on a
    hot-standby replica.
    """
    from sqlalchemy.engine import make_url

    options = dict(engine_options or {})
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            url = f"sqlite:///file:{path}?mode=ro&uri=true"
    elif parsed.get_backend_name() == "postgresql":
        connect_args = dict(options.get("connect_args") or {})
        connect_args["options"] = (connect_args.get("options", "") + " -c default_transaction_read_only=on").strip()
        options["connect_args"] = connect_args
    return url, options


def _instance_secret(instance):
    """Return a per-installation secret key, created once in instance/secret_key."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        # created readable by the owner only, never for a moment by anyone else
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(32).hex())
    return path.read_text().strip()
