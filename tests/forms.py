"""Post a page's form the way a browser does: every field with the value the page shows.

``resubmit(client, url)`` GETs ``url``, reads its form (inputs, checked boxes, selected options,
textareas) and POSTs it back unchanged, or with ``changes``. The tests that prove an edit form
keeps what it does not change use it: a value the page fails to show would be posted changed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

UNPOSTED = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get"),
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        name, disabled = a.get("name"), "disabled" in a
        if tag == "input" and name and not disabled:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in UNPOSTED:
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name and not disabled:
            self._select = (name, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._select[2].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name and not disabled:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, multiple, options = self._select
            chosen = [v for v, sel in options if sel]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self._form["fields"].extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1]).replace("\r\n", "\n")
            # A browser drops the one newline that follows <textarea>.
            text = text[1:] if text.startswith("\n") else text
            self._form["fields"].append((self._textarea[0], text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def read_form(
    html: str, index: int = -1, action: str | None = None, having: str | None = None
) -> dict[str, Any]:
    """The ``index``-th POST form of the page (of those whose action contains ``action``, or
    that have a field named ``having``)."""
    reader = _FormReader()
    reader.feed(html)
    forms = [f for f in reader.forms if f["method"].lower() == "post"]
    if action is not None:
        forms = [f for f in forms if action in f["action"]]
    if having is not None:
        forms = [f for f in forms if any(name == having for name, _ in f["fields"])]
    assert forms, "no such form on the page"
    return forms[index]


def resubmit(
    client: FlaskClient,
    url: str,
    changes: dict[str, str] | None = None,
    button: str | None = None,
    index: int = -1,
    having: str | None = None,
) -> Any:
    """GET ``url``, then POST its form as shown (with ``changes``), by its first (default)
    submit button unless ``button`` names another."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    form = read_form(page.get_data(as_text=True), index, having=having)
    data = MultiDict(form["fields"])
    for key, value in (changes or {}).items():
        data.setlist(key, [value])
    buttons = dict(form["buttons"])
    pressed = button or (form["buttons"][0][0] if form["buttons"] else None)
    if pressed:
        data.add(pressed, buttons.get(pressed, ""))
    return client.post(form["action"] or url, data=data)
