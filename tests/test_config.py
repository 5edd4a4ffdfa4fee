"""Configuration from the environment, as an operator sets it."""

from portal.config import json_dumps, json_loads, load_config


def _config(monkeypatch, tmp_path, **env):
    from flask import Flask

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = Flask("cfgtest", instance_path=str(tmp_path))
    load_config(app, {"SECRET_KEY": "x"})
    return app.config


def test_plugin_lists_from_the_environment_are_comma_separated(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, PORTAL_DISABLED_PLUGINS="hotline, training",
                     PORTAL_EXTRA_PLUGINS="tests.example")
    assert config["PORTAL_DISABLED_PLUGINS"] == ("hotline", "training")
    assert config["PORTAL_EXTRA_PLUGINS"] == ("tests.example",)


def test_plugin_lists_may_be_json(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, PORTAL_DISABLED_PLUGINS='["hotline"]')
    assert config["PORTAL_DISABLED_PLUGINS"] == ("hotline",)


def test_database_url_uses_psycopg_3(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, DATABASE_URL="postgres://u:p@db/cunwu")
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/cunwu"


def test_secret_key_is_made_once_and_kept_private(monkeypatch, tmp_path):
    from flask import Flask

    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    load_config(first)
    load_config(second)
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]  # workers share it
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_new_user_password_is_not_kept_in_the_config(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, PORTAL_NEW_PASSWORD="a long enough password")
    assert "a long enough password" not in map(str, config.values())


def test_extra_plugin_from_the_environment_is_loaded(monkeypatch, tmp_path):
    from tests.conftest import TEST_CONFIG

    from portal import create_app

    monkeypatch.setenv("PORTAL_EXTRA_PLUGINS", "tests.example")
    app = create_app(dict(TEST_CONFIG, SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "x.db")))
    assert "example" in app.extensions["portal"].names()


def test_json_columns_keep_chinese_text_and_accept_number_keys():
    assert json_loads(json_dumps({"摘要": "村委会电费", "n": 1})) == {"摘要": "村委会电费", "n": 1}
    # as with the json module, a key that is not a string is written as one
    assert json_loads(json_dumps({2026: {10: "十月"}})) == {"2026": {"10": "十月"}}
