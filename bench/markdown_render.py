"""Markdown rendering benchmark: prints a table.

Renders minutes of 10 KB to 500 KB in three shapes (references only, ``D12345 `` repeated, as in
the attack that took a worker down; bare URLs with references in them; ordinary prose with a few
references) and reports the time per render and per KB. Linear rendering shows a flat "ms/KB".

    .venv/bin/python bench/markdown_render.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.markdown import render_markdown  # noqa: E402

PROSE = (
    "**Rod:** looked at the ACPI tables of the 128-thread box; see D19468 and Bug 229852. "
    "John will post the VM_MAXCPU patch.\n\n"
)
SHAPES = {
    "references": "D12345 ",
    "urls": "https://reviews.freebsd.org/D19468 pr 231884 ",
    "prose": PROSE,
}


def render_seconds(text: str) -> float:
    start = time.perf_counter()
    render_markdown(text)
    return time.perf_counter() - start


def main() -> None:
    render_markdown("warm up D12345 https://example.org")
    print(f"{'shape':<12}{'size':>8}{'seconds':>10}{'ms/KB':>8}")
    for shape, unit in SHAPES.items():
        for kb in (10, 50, 100, 250, 500):
            text = unit * (kb * 1024 // len(unit))
            seconds = render_seconds(text)
            print(f"{shape:<12}{kb:>6}KB{seconds:>10.3f}{seconds * 1000 / kb:>8.2f}")


if __name__ == "__main__":
    main()
