"""Log filters: an expected refusal is one line in the server log, not a traceback."""

from __future__ import annotations

import logging

#: Statuses that answer an ordinary refusal: the request was understood and declined.
REFUSALS = frozenset({403, 429})


class OneLineRefusals(logging.Filter):
    """Drop the traceback Django attaches to a 403 (``PermissionDenied``) in ``django.request``.

    A viewer opening the import page is the access policy working, not a fault: the log keeps
    the line ("Forbidden (Permission denied): /import/"), and the audit log says who it was.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in REFUSALS:
            record.exc_info = None
            record.exc_text = None
        return True
