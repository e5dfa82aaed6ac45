"""Fuzzing the submission form: any POST gives the confirmation with one submission stored, or
the form again (or a 4xx) with nothing stored — never a 500 or a traceback."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults.conftest import SLUG, create_open_conference
from webapp.cfp.forms import TOKEN_RE
from webapp.extensions import db

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% raw %}",
    "'; DROP TABLE submissions; --",
    "\x00",
    "\x1b[31m",
    "\r\nBcc: victim@example.org",
    "‮gnp.exe",
    "👩🏽‍💻 bhyve",
    "ß" * 150,
    "\ud7ff",
    " ",
    "",
]
texts = st.one_of(
    st.text(max_size=80),
    st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFFF, exclude_categories=("Cs",)),
        max_size=300,
    ),
    st.sampled_from(HOSTILE),
    st.integers(0, 3).map(lambda k: "x" * (10, 201, 601, 70_000)[k]),
    st.just("Live migration in bhyve"),
)
emails = st.one_of(
    st.emails().map(str),
    texts,
    st.sampled_from(["ada@example.org", "ADA@example.org", "a@b", "@", "x" * 250 + "@example.org"]),
)
ids = st.one_of(
    st.just("VALID"),
    st.integers(-3, 10**12).map(str),
    st.sampled_from(["", "abc", "1.5", "0x1", "[]", "None"]),
    texts,
)
tokens = st.one_of(
    st.just("FRESH"),
    st.none(),
    texts,
    st.sampled_from(["short", "a" * 65, "../../etc/passwd", "\x00" * 20, "a" * 10 + "\x00" * 10]),
)


VALID = {
    "title": "Live migration in bhyve",
    "format": "VALID",
    "track": "0",
    "abstract": "How we move running guests.",
    "description": "",
    "notes": "",
    "speaker_name": "Ada",
    "email": "ada@example.org",
    "affiliation": "",
    "bio": "",
    "consent": "y",
    "website": "",
    "form_token": "FRESH",
    "send": "1",
}


@st.composite
def forms(draw: st.DrawFn) -> dict[str, str] | bytes:
    if draw(st.integers(0, 19)) == 0:  # now and then, a raw body that is not even UTF-8
        return draw(st.binary(max_size=400))
    fields: dict[str, object] = {
        "title": draw(texts),
        "format": draw(ids),
        "track": draw(st.one_of(st.just("0"), ids)),
        "abstract": draw(texts),
        "description": draw(texts),
        "notes": draw(texts),
        "speaker_name": draw(texts),
        "email": draw(emails),
        "affiliation": draw(texts),
        "bio": draw(texts),
        "consent": draw(st.sampled_from(["y", "", "no", "on", None])),
        "website": draw(st.sampled_from(["", "", "", "http://spam.example"])),
        "form_token": draw(tokens),
        "send": "1",
    }
    good_form = draw(st.booleans())
    if good_form:  # half the time: a good form with a few fields gone wrong
        good = dict(VALID, email=f"ada-{draw(st.integers(0, 10**9))}@example.org")
        keep = draw(st.lists(st.sampled_from(sorted(fields)), max_size=3))
        fields = {k: (fields[k] if k in keep else v) for k, v in good.items()}
    for i in range(draw(st.sampled_from([0, 0, 1, 2, 3, 14]))):
        index = (
            str(i)
            if draw(st.integers(0, 9))
            else draw(st.sampled_from(["-1", "x", "99999999999999999999"]))
        )
        if draw(st.integers(0, 9)) < (9 if good_form else 5):
            fields[f"co_speakers-{index}-name"] = f"Co-speaker {i}"
            fields[f"co_speakers-{index}-email"] = (
                f"co{i}-{draw(st.integers(0, 10**9))}@example.org"
            )
        else:
            fields[f"co_speakers-{index}-name"] = draw(texts)
            fields[f"co_speakers-{index}-email"] = draw(emails)
    if draw(st.integers(0, 7)) == 0:
        fields["add_speaker"] = "1"
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3)):
        fields.pop(name, None)  # missing fields
    return {k: v for k, v in fields.items() if v is not None}  # type: ignore[misc]


def counts() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {t}"))  # noqa: S608 - fixed names
        for t in ("submissions", "speakers", "outbox_messages")
    )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=forms())
def test_cfp_form_stores_one_whole_submission_or_nothing(app, client, form) -> None:
    with app.app_context():
        if db.session.scalar(sa.text("SELECT COUNT(*) FROM conferences")) == 0:
            create_open_conference(app)
        fmt = db.session.scalar(sa.text("SELECT MIN(id) FROM session_formats"))
        if isinstance(form, dict):
            form = dict(form)
            if form.get("format") == "VALID":
                form["format"] = str(fmt)
            if form.get("track") == "VALID":
                form["track"] = "0"
            if form.get("form_token") == "FRESH":
                form["form_token"] = secrets.token_urlsafe(24)
        token = form.get("form_token") if isinstance(form, dict) else None
        existed = (
            bool(token)
            and TOKEN_RE.match(token)
            and db.session.scalar(
                sa.text("SELECT COUNT(*) FROM submissions WHERE form_token = :t"), {"t": token}
            )
        )
        before = counts()
        db.session.remove()

    if isinstance(form, bytes):
        response = client.post(
            f"/conferences/{SLUG}/cfp", data=form, content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(f"/conferences/{SLUG}/cfp", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, form, body[:500])
    assert "Traceback" not in body

    with app.app_context():
        after = counts()
        db.session.remove()
    added = tuple(a - b for a, b in zip(after, before, strict=True))
    if response.status_code in (302, 303):
        assert "/cfp/received/" in response.headers["Location"]
        if existed:
            assert added == (0, 0, 0), form  # a resent form: the existing confirmation
        else:
            subs, speakers, outbox = added
            assert subs == 1, (added, form)
            assert speakers >= 1
            # one to the submitting speaker (co-speakers are invited from that speaker's
            # link), one for the organizer
            assert outbox == 2
    else:
        assert response.status_code in (200, 400, 413, 422), response.status_code
        assert added == (0, 0, 0), (response.status_code, form)
