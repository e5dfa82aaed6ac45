"""render_markdown: CommonMark, raw HTML escaped, only http/https/mailto links."""

from __future__ import annotations

import time

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
