"""The app as gunicorn serves it, with a test-only pause inside each CFP submission.

The pause comes after the submission's rows are written and before the view commits, so a fault
test can kill the worker or restart the database there. It is installed here, by the tests, from
``CFP_TEST_DELAY_SECONDS`` (forced to 0 in production): the service itself knows nothing of it.
"""

from __future__ import annotations

import time
from typing import Any

from webapp import create_app
from webapp.cfp.services import submissions

app = create_app()
DELAY = float(app.config.get("CFP_TEST_DELAY_SECONDS") or 0)
_record_and_notify = submissions._record_and_notify


def _record_notify_and_wait(*args: Any, **kwargs: Any) -> None:
    _record_and_notify(*args, **kwargs)
    if DELAY > 0:
        time.sleep(DELAY)


submissions._record_and_notify = _record_notify_and_wait  # type: ignore[assignment]
