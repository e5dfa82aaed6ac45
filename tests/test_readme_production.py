"""README's production section says what the shipped server configuration does."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_worker_recycling_in_the_readme_is_gunicorn_conf_py() -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    said = re.search(r"recycling\s+workers after ([\d,]+) requests", production)
    assert said is not None
    assert int(said.group(1).replace(",", "")) == settings["max_requests"]
    assert f"{settings['max_requests_jitter']:,}" in production
