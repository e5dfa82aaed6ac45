import sqlalchemy as sa

from tests.conftest import login
from webapp.extensions import db
from webapp.models import User


def test_create_list_set_role_deactivate(app, runner, client) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ann@Example.org",
            "--role",
            "admin",
            "--role",
            "scribe",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created ann@example.org with roles: admin, scribe" in result.output

    listing = runner.invoke(args=["users", "list"]).output
    assert "ann@example.org\tadmin,scribe\tactive" in listing

    result = runner.invoke(args=["users", "set-role", "ann@example.org", "--role", "reviewer"])
    assert result.exit_code == 0
    assert "ann@example.org: reviewer" in result.output

    assert login(client, "ann@example.org", "a-long-password").status_code == 302
    client.post("/logout")
    result = runner.invoke(args=["users", "deactivate", "ann@example.org"])
    assert result.exit_code == 0
    assert "Wrong email or password" in login(
        client, "ann@example.org", "a-long-password"
    ).get_data(as_text=True)


def test_create_prompts_for_password(runner, app) -> None:
    result = runner.invoke(
        args=["users", "create", "bob@example.org", "--role", "organizer"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "bob@example.org")) is not None


def test_bad_inputs_are_clear_and_change_nothing(runner, app) -> None:
    short = runner.invoke(
        args=["users", "create", "c@example.org", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
    role = runner.invoke(
        args=["users", "create", "c@example.org", "--role", "king", "--password-stdin"],
        input="x" * 12,
    )
    assert role.exit_code == 2
    assert "'king' is not one of" in role.output
    runner.invoke(
        args=["users", "create", "d@example.org", "--password-stdin"], input="a-long-password\n"
    )
    dup = runner.invoke(
        args=["users", "create", "D@example.org", "--password-stdin"], input="a-long-password\n"
    )
    assert "There is already an account for d@example.org" in dup.output
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert missing.exit_code == 1
    assert "no account for nobody@example.org" in missing.output
    with app.app_context():
        emails = db.session.scalars(sa.select(User.email)).all()
    assert emails == ["d@example.org"]


def test_demo_load_if_empty(runner, app) -> None:
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already has data; nothing loaded" in second.output
