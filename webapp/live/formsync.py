"""Text saved outside the call page enters its shared notes as an update, so that it merges
with what people are typing there instead of overwriting it.

The no-JS edit form carries the shared document's state as it showed it (``live_base``): on save,
the form's changes to that state become an update, which merges with everything typed since.
An import has no such state: its text replaces the current shared text, as a line diff.
"""

from __future__ import annotations

import base64
import binascii

from webapp import audit
from webapp.extensions import db
from webapp.live import store
from webapp.live.revisions import enter_text
from webapp.models import Minutes

FIELD = "live_base"


def form_state(minutes: Minutes) -> tuple[str, str] | None:
    """(the shared text, the state to send with the form) when the minutes have shared notes."""
    loaded = store.load(db.session.connection(), minutes.id)
    if loaded is None:
        return None
    doc = loaded.doc()
    return store.text_of(doc), base64.b64encode(doc.get_update()).decode("ascii")


def merge(minutes: Minutes, text: str, base: str | None, actor: audit.Actor) -> str | None:
    """Put a form's (or an import's) ``text`` into the shared notes; the merged text, or None
    when the minutes have no shared notes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    state = None
    if base:
        try:
            state = base64.b64decode(base.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            state = None
    return enter_text(minutes, text, actor, state)
