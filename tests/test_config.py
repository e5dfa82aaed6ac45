import os
import subprocess
from pathlib import Path

import pytest

from webapp import create_app
from webapp.config import ConfigError, finalise, from_environment


def base(tmp_path: Path, **extra: object) -> dict[str, object]:
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        **extra,
    }


def test_generated_key_is_kept_in_instance_folder(tmp_path: Path) -> None:
    first = create_app(base(tmp_path))
    second = create_app(base(tmp_path))
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32


def test_production_refuses_the_development_key(tmp_path: Path) -> None:
    create_app(base(tmp_path))  # generates the development key
    dev_key = (tmp_path / "instance" / "secret_key").read_text().strip()
    with pytest.raises(ConfigError, match="development key"):
        create_app(base(tmp_path, CADENCE_ENV="production", SECRET_KEY=dev_key))
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(base(tmp_path, CADENCE_ENV="production"))
    with pytest.raises(ConfigError, match="development key"):
        create_app(base(tmp_path, CADENCE_ENV="production", SECRET_KEY="dev"))
    app = create_app(base(tmp_path, CADENCE_ENV="production", SECRET_KEY="x" * 40))
    assert app.config["SECRET_KEY"] == "x" * 40


@pytest.mark.parametrize("url", ["foo:bar", "not a url", "mysql://u@h/db", "://"])
def test_malformed_database_url_is_one_line_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as info:
        create_app(base(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    message = str(info.value)
    assert message.startswith("cadence: configuration error:")
    assert "\n" not in message


def test_environment_overrides_and_postgres_driver(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "MAIL_PORT": "2525",
        "MAIL_USE_TLS": "yes",
        "CADENCE_BASE_URL": "https://cadence.example.org",
    }
    config = {"SECRET_KEY": "k" * 40, **from_environment(env)}
    finalise(config, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["MAIL_PORT"] == 2525
    assert config["MAIL_USE_TLS"] is True
    assert config["SESSION_COOKIE_SECURE"] is True


def test_bad_integer_in_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        from_environment({"MAIL_PORT": "twenty-five"})


def test_instance_config_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"COMMUNITY_NAME = 'Test Community'\nSQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path}/c.sqlite'\n"
    )
    monkeypatch.setenv("CADENCE_INSTANCE", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("FEED_PAST_MONTHS", "6")
    app = create_app()
    assert app.config["COMMUNITY_NAME"] == "Test Community"
    assert app.config["FEED_PAST_MONTHS"] == 6


def test_secret_key_fallbacks_from_the_environment_sign_csrf_tokens_too(tmp_path: Path) -> None:
    found = from_environment({"SECRET_KEY_FALLBACKS": " older-key-" + "o" * 30 + " , oldest-key ,"})
    assert found["SECRET_KEY_FALLBACKS"] == ["older-key-" + "o" * 30, "oldest-key"]
    app = create_app(base(tmp_path, SECRET_KEY="n" * 40, SECRET_KEY_FALLBACKS=["o" * 40]))
    # itsdangerous signs with the last key of the list and accepts every one.
    assert app.config["WTF_CSRF_SECRET_KEY"] == ["o" * 40, "n" * 40]
    with pytest.raises(ConfigError, match="SECRET_KEY_FALLBACKS holds a key shorter"):
        create_app(
            base(
                tmp_path, CADENCE_ENV="production", SECRET_KEY="n" * 40, SECRET_KEY_FALLBACKS="dev"
            )
        )


def test_the_default_base_url_follows_the_port_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PORT=5500 make run``: subscribe buttons, feeds and mail say :5500 unless
    CADENCE_BASE_URL says otherwise."""
    import subprocess

    monkeypatch.delenv("CADENCE_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5500")
    monkeypatch.delenv("HOST", raising=False)
    assert create_app(base(tmp_path)).config["CADENCE_BASE_URL"] == "http://127.0.0.1:5500"
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104 - what a server listens on, not a link
    assert create_app(base(tmp_path)).config["CADENCE_BASE_URL"] == "http://127.0.0.1:5500"
    monkeypatch.setenv("HOST", "cadence.test")
    assert create_app(base(tmp_path)).config["CADENCE_BASE_URL"] == "http://cadence.test:5500"
    given = base(tmp_path, CADENCE_BASE_URL="https://cadence.example.org")
    assert create_app(given).config["CADENCE_BASE_URL"] == "https://cadence.example.org"
    monkeypatch.setenv("PORT", "http")
    with pytest.raises(ConfigError, match="PORT must be a port number"):
        create_app(base(tmp_path))
    # make passes the port it serves on to every flask command of `run` and `serve`.
    root = Path(__file__).resolve().parent.parent
    for target in ("run", "serve"):
        shown = subprocess.run(  # noqa: S603 - fixed program and arguments
            ["make", "-n", "-C", str(root), target],  # noqa: S607 - make from PATH
            env={**os.environ, "PORT": "5500"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        flask_lines = [line for line in shown.splitlines() if "flask" in line or "gunicorn" in line]
        assert flask_lines
        assert all("PORT=5500" in line for line in flask_lines), flask_lines


def test_development_mail_files_sit_in_the_instance_folder_and_never_in_production(
    tmp_path: Path,
) -> None:
    config = {"SECRET_KEY": "k" * 40, **from_environment({"MAIL_FILE_DIR": "mail"})}
    finalise(config, tmp_path)
    assert config["MAIL_FILE_DIR"] == str(tmp_path / "mail")
    production = {**config, "CADENCE_ENV": "production", "SECRET_KEY": "s" * 40}
    with pytest.raises(ConfigError, match="MAIL_FILE_DIR is for development"):
        finalise(production, tmp_path)


def test_make_run_writes_mail_to_files_without_a_mail_server_and_make_serve_never() -> None:
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k not in ("MAIL_SERVER", "MAKEFLAGS")}

    def dry(target: str, **extra: str) -> str:
        return subprocess.run(
            ["make", "-n", target],
            cwd=root,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert f"MAIL_FILE_DIR={root}/instance/mail " in dry("run")
    assert "MAIL_FILE_DIR" not in dry("run", MAIL_SERVER="smtp.example.org")
    assert "MAIL_FILE_DIR" not in dry("serve")
