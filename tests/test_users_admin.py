import sqlalchemy as sa

from tests.conftest import login
from webapp.extensions import db
from webapp.models import User


def test_admin_creates_and_edits_an_account(app, client_as) -> None:
    admin = client_as("admin")
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "new@example.org",
            "name": "New Person",
            "roles": ["reviewer"],
            "password": "a-long-password",
        },
    )
    assert response.status_code == 302
    page = admin.get("/admin/users/").get_data(as_text=True)
    assert "new@example.org" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert user.roles == {"reviewer"}
        user_id = user.id
    response = admin.post(
        f"/admin/users/{user_id}",
        data={"name": "Renamed", "roles": ["scribe", "reviewer"], "active": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.roles == {"scribe", "reviewer"}
        assert user.name == "Renamed"


def test_admin_form_errors_keep_input(client_as) -> None:
    admin = client_as("admin")
    response = admin.post(
        "/admin/users/new", data={"email": "not-an-email", "name": "Kept Name", "password": "short"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An email address must have an @-sign." in page
    assert "Kept Name" in page
    assert "Field must be between 10 and 1024 characters long." in page


def test_admin_cannot_remove_own_admin_role(app, client_as) -> None:
    admin = client_as("admin")
    response = admin.post(
        f"/admin/users/{admin.user.id}", data={"roles": ["scribe"], "active": "y"}
    )
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)


def test_deactivated_user_is_signed_out(app, client_as, make_user) -> None:
    admin = client_as("admin")
    victim = client_as("scribe")
    assert victim.get("/dashboard/").status_code == 200
    admin.post(f"/admin/users/{victim.user.id}", data={"roles": ["scribe"]})
    assert victim.get("/dashboard/").status_code == 302
    assert "Wrong email or password" in login(victim, victim.user.email).get_data(as_text=True)
