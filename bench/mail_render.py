"""What rendering mail templates costs: in this process, through the sandbox's child process
(as the outbox worker and the organizers' pages do), and how fast hostile templates are refused.

    .venv/bin/python bench/mail_render.py

Prints a table: milliseconds per render (median of 5 runs of N renders) and the time to refuse
each hostile shape.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import mail_render, mail_sandbox  # noqa: E402
from webapp.mail_texts import DEFAULTS, hostile_contexts  # noqa: E402

N = 200


def per_render(render, source: str, context: dict) -> float:
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(N):
            render(source, context)
        runs.append((time.perf_counter() - started) / N * 1000)
    return statistics.median(runs)


def main() -> None:
    contexts = hostile_contexts("cfp_received")
    default = DEFAULTS["cfp_received"].body
    started = time.perf_counter()
    mail_render.render("{{ x }}", {"x": 1})
    print(f"child process start (first render): {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"{'template':<34} {'in process ms':>14} {'child ms':>10}")
    for label, ctx in (
        ("cfp_received, plain sample", contexts[0]),
        ("cfp_received, long", contexts[1]),
    ):
        inproc = per_render(mail_sandbox.render_text, default, ctx)
        child = per_render(lambda s, c: mail_render.render(s, c), default, ctx)
        print(f"{label:<34} {inproc:>14.3f} {child:>10.3f}")
    shapes = {
        "~ doubling in a loop": "{% set ns = namespace(x='ab') %}{% for i in range(60) %}"
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
        "center(10**8)": "{{ 'x'|center(100000000) }}",
        "replace growth": "{{ ('x' * 40000)|replace('x', 'xx') }}",
        "4 nested range(100) loops (budget)": "{% for a in range(100) %}{% for b in range(100) %}"
        "{% for c in range(100) %}{% for d in range(100) %}{% endfor %}{% endfor %}"
        "{% endfor %}{% endfor %}",
    }
    print(f"{'hostile shape':<34} {'refused in ms':>14}  reason")
    # (The first one compiles the template; a budget refusal also replaces the child.)
    for label, source in shapes.items():
        started = time.perf_counter()
        rendered = mail_render.render(source, contexts[0])
        took = (time.perf_counter() - started) * 1000
        print(f"{label:<34} {took:>14.0f}  {rendered.error}")
    mail_render.stop()


if __name__ == "__main__":
    main()
