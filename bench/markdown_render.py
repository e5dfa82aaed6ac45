"""Markdown rendering benchmark: prints a table of seconds per 100 KB, shape by size.

Renders each shape, the ordinary ones (prose with references and URLs, a minutes page with
tables and task lists) and the pathological ones of ``tests/test_markdown.py`` (runs of
``http://x.``, ``![``, ``a_``, ``*a``, deep nesting, tables, task lists, comments), from 10 KB to
the 500 KB size limit. Linear rendering shows a flat row; a quadratic shape doubles its figure
with each doubling of the size. Each figure is the best of two renders.

    .venv/bin/python bench/markdown_render.py [--quick]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_markdown import PATHOLOGICAL, shape  # noqa: E402
from webapp.markdown import render_markdown  # noqa: E402

PROSE = (
    "**Rod:** looked at the ACPI tables of the 128-thread box; see D19468, Bug 229852 and "
    "https://reviews.freebsd.org/D19468. John will post the VM_MAXCPU patch.\n\n"
)
PAGE = (
    "## Attendees\n* Ada Lovelace @ada (TSC)\n<!-- * Old Name -->\n\n"
    "| Item | Owner |\n|---|---|\n| ACPI | ~~Rod~~ John |\n\n"
    "- [ ] post the patch (D12345)\n- [x] https://github.com/freebsd/freebsd-src/pull/1234\n\n"
)
SHAPES = {"prose": PROSE, "minutes_page": PAGE, **PATHOLOGICAL}
SIZES_KB = (10, 50, 100, 250, 500)


def seconds(text: str) -> float:
    best = float("inf")
    for n in range(2):
        start = time.perf_counter()
        render_markdown(f"{text}end{n}")
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    sizes = SIZES_KB[:3] if "--quick" in sys.argv else SIZES_KB
    render_markdown("warm up D12345 https://example.org")
    print("seconds per 100 KB")
    print(f"{'shape':<16}" + "".join(f"{str(kb) + ' KB':>9}" for kb in sizes))
    for name, unit in SHAPES.items():
        cells = []
        for kb in sizes:
            cells.append(f"{seconds(shape(unit, kb * 1000)) * 100 / kb:>9.3f}")
        print(f"{name:<16}" + "".join(cells), flush=True)


if __name__ == "__main__":
    main()
