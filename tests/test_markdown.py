"""render_markdown: CommonMark, raw HTML escaped, only http/https/mailto links."""

from __future__ import annotations

import time

import pytest

from webapp.markdown import render_inline, render_markdown


def test_markdown_is_rendered_and_html_escaped() -> None:
    html = str(render_markdown("Hello *bhyve* <script>alert(1)</script> <b onclick=x>b</b>"))
    assert "<em>bhyve</em>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "onclick" not in html.replace("&lt;b onclick=x&gt;", "")


def test_only_safe_links_survive() -> None:
    html = str(
        render_markdown(
            "[a](https://bhyve.org) [b](mailto:x@example.org) "
            "[c](javascript:alert(1)) [d](data:text/html,x)"
        )
    )
    assert 'href="https://bhyve.org"' in html
    assert 'href="mailto:x@example.org"' in html
    assert 'href="javascript' not in html
    assert 'href="data:' not in html
    assert render_markdown("") == ""


def test_bare_urls_are_links_and_references_inside_them_are_not_linked_again() -> None:
    html = str(render_markdown("See https://reviews.freebsd.org/D19468 and D19469."))
    assert (
        '<a href="https://reviews.freebsd.org/D19468" rel="noopener noreferrer nofollow">'
        "https://reviews.freebsd.org/D19468</a>"
    ) in html
    assert html.count("reviews.freebsd.org/D19468") == 2  # href and text, no nested link
    assert '<a href="https://reviews.freebsd.org/D19469"' in html
    github = str(render_markdown("PR at https://github.com/freebsd/freebsd-src/pull/1234"))
    assert 'href="https://github.com/freebsd/freebsd-src/pull/1234"' in github


def test_lowercase_pr_and_bug_references_are_linked() -> None:
    html = str(render_markdown("pr 231884 and Bug #229852 and `D1234` in code"))
    assert 'href="https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=231884"' in html
    assert 'href="https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=229852"' in html
    assert "reviews.freebsd.org/D1234" not in html


def test_inline_text_links_bare_urls_and_references_and_escapes_the_rest() -> None:
    html = str(render_inline("review https://reviews.freebsd.org/D500 then D600 <b>"))
    assert html.count('href="https://reviews.freebsd.org/D500"') == 1
    assert 'href="https://reviews.freebsd.org/D600"' in html
    assert "&lt;b&gt;" in html


def _seconds(text: str) -> float:
    """The best of three renders (distinct texts, so no cache answers): one pause of the
    machine must not decide a ratio."""
    times = []
    for n in range(3):
        start = time.perf_counter()
        render_markdown(f"{text}end{n}")
        times.append(time.perf_counter() - start)
    return min(times)


def test_rendering_time_is_linear_in_the_input() -> None:
    """182 KB of references took 21 s (every match compared with every other): now linear."""
    small, large = "D12345 " * 3_000, "D12345 " * 30_000  # 21 KB and 210 KB
    _seconds(small)  # warm up
    ratio = _seconds(large) / _seconds(small)
    assert ratio < 25, f"10x the input took {ratio:.0f}x the time"
    assert _seconds("D12345 " * 26_000) < 5


# --- GitHub-flavoured Markdown -------------------------------------------------------------------


def test_tables_strikethrough_and_task_lists_render_as_html() -> None:
    html = str(
        render_markdown(
            "| Item | Owner |\n|:-----|------:|\n| ACPI | ~~Rod~~ John |\n\n"
            "- [ ] post the patch\n- [x] review D19468\n- plain item\n"
        )
    )
    assert "<table>" in html
    assert "<th>Item</th>" in html
    assert "<td><s>Rod</s> John</td>" in html
    assert "~~" not in html
    assert '<ul class="contains-task-list">' in html
    assert html.count('type="checkbox"') == 2
    open_box, done_box = html.split("<input")[1:3]
    assert "disabled" in open_box
    assert "checked" not in open_box.split(">")[0]
    assert 'checked="checked"' in done_box.split(">")[0]
    assert "disabled" in done_box.split(">")[0]
    assert "[ ]" not in html
    assert "[x]" not in html
    assert "<li>plain item</li>" in html


def test_only_disabled_checkboxes_survive_the_sanitiser() -> None:
    from webapp.markdown import clean

    out = clean(
        '<input type="text" value="x" onclick="x()" name="a"><input type="checkbox" checked="yes">'
        '<ul class="evil contains-task-list">'
        '<li style="color:red" class="task-list-item">a</li></ul>'
    )
    assert 'type="text"' not in out
    assert "onclick" not in out
    assert "value" not in out
    assert "name=" not in out
    assert out.count('type="checkbox"') == 2
    assert out.count('disabled="disabled"') == 2
    assert 'checked="yes"' not in out
    assert "evil" not in out
    assert "style" not in out
    assert '<ul class="contains-task-list">' in out


def test_html_comments_do_not_show_and_code_keeps_them() -> None:
    text = (
        "Attendees:\n<!--\n* Old Name\n* Someone Else\n-->\n* Ada Lovelace\n\n"
        "Decided <!-- not yet: D1 --> to ship. `<!-- in code -->`\n\n"
        "    <!-- indented code -->\n"
    )
    html = str(render_markdown(text))
    assert "Old Name" not in html
    assert "Someone Else" not in html
    assert "not yet" not in html
    assert "&lt;!--" in html  # only the code ones
    assert "<code>&lt;!-- in code --&gt;</code>" in html
    assert "&lt;!-- indented code --&gt;" in html
    assert "<li>Ada Lovelace</li>" in html
    assert "Decided  to ship." in html
    # An opening that never closes is text, as typed.
    assert "&lt;!-- unclosed" in str(render_markdown("a <!-- unclosed"))


def test_bare_urls_and_references_stay_linked_with_gfm_on() -> None:
    html = str(
        render_markdown(
            "| Review | PR |\n|---|---|\n"
            "| https://reviews.freebsd.org/D19468 "
            "| https://github.com/freebsd/freebsd-src/pull/1234 |"
            "\n\n- [ ] land D12345 (Bug 229852), see www.freebsd.org\n"
        )
    )
    assert '<a href="https://reviews.freebsd.org/D19468" rel' in html
    assert html.count("reviews.freebsd.org/D19468") == 2
    assert '<a href="https://github.com/freebsd/freebsd-src/pull/1234" rel' in html
    assert 'href="https://reviews.freebsd.org/D12345"' in html
    assert 'href="https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=229852"' in html
    assert 'href="http://www.freebsd.org"' in html
    # Emphasis markers inside a URL are part of it, as before.
    starred = str(render_markdown("https://x.org/a*b*c and https://x.org/_foo_ end"))
    assert 'href="https://x.org/a*b*c"' in starred
    assert 'href="https://x.org/_foo_"' in starred
    assert "<em>" not in starred


# --- linear in the input, whatever the shape ------------------------------------------------------

#: Each shape is repeated to the size asked for: the ones that were quadratic (bare-URL runs, task
#: lists), and the classic worst cases of Markdown parsers (unclosed brackets, images, emphasis
#: runs, deep nesting, wide and long tables, unclosed comments, words of URL paths).
PATHOLOGICAL = {
    "url_runs": "http://x.",
    "image_runs": "![",
    "link_runs": "[a](",
    "underscore": "a_",
    "star": "*a",
    "brackets": "[[[[[[[[]",
    "nested_quotes": ">>>>>>>>>> a\n",
    "nested_lists": "- - - - - - - - - - a\n",
    "nested_emphasis": "*a **b ***c ",
    "table_rows": "| a | b | c |\n",
    "table_wide": "| a ",
    "task_items": "- [ ] a\n",
    "comments": "<!-- ",
    "url_paths": "http://a/(x ",
    "emails": "a@b.c@",
    "references": "D12345 ",
}


def shape(unit: str, size: int) -> str:
    """``unit`` repeated to ``size`` characters (tables: a header, then rows or columns)."""
    if unit == "| a ":  # one header, delimiter and body row of size / 12 columns each
        columns = size // 12
        return f"{unit * columns}|\n{'|---' * columns}|\n{unit * columns}|\n"
    body = unit * (size // len(unit))
    return "| h | i | j |\n|---|---|---|\n" + body if unit.startswith("| a") else body


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_shapes_render_in_linear_time(name: str) -> None:
    """10x the text takes about 10x the time (best of three, as above); a quadratic shape, as
    ``http://x.`` runs and task lists were, takes 100x."""
    unit = PATHOLOGICAL[name]
    size = 5_000  # doubled until the small render takes long enough to measure (at most 40 KB)
    while size < 40_000 and _seconds(shape(unit, size)) < 0.02:
        size *= 2
    small, large = shape(unit, size), shape(unit, size * 10)
    large_seconds = _seconds(large)
    ratio = large_seconds / max(_seconds(small), 1e-4)
    # Below 50 ms for 50-400 KB, a ratio measures caches, not the algorithm (a quadratic shape
    # takes seconds there).
    assert ratio < 25 or large_seconds < 0.05, (
        f"{name}: 10x the text ({size * 10:,} chars) took {ratio:.0f}x the time"
    )


def test_the_reported_url_run_renders_at_once() -> None:
    """``"http://x." * 20000`` (180 KB) never finished before: a worker timed out on it."""
    assert _seconds("http://x." * 20_000) < 5
