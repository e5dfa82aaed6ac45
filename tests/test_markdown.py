"""render_markdown: CommonMark, raw HTML escaped, only http/https/mailto links."""

from __future__ import annotations

from webapp.markdown import render_markdown


def test_markdown_is_rendered_and_html_escaped() -> None:
    html = str(render_markdown("Hello *bhyve* <script>alert(1)</script> <b onclick=x>b</b>"))
    assert "<em>bhyve</em>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "onclick" not in html.replace("&lt;b onclick=x&gt;", "")


def test_only_safe_links_survive() -> None:
    html = str(
        render_markdown(
            "[a](https://bhyve.org) [b](mailto:x@example.org) [c](javascript:alert(1)) [d](data:text/html,x)"
        )
    )
    assert 'href="https://bhyve.org"' in html
    assert 'href="mailto:x@example.org"' in html
    assert 'href="javascript' not in html
    assert 'href="data:' not in html
    assert render_markdown("") == ""
