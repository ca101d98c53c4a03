"""Logging filters of the project (settings.LOGGING)."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep a 403's log line to one line: Django logs "Forbidden (Permission denied): PATH" with
    the PermissionDenied's traceback, which says nothing an operator needs (a refusal is
    expected behaviour, not a fault) and buries real errors. The line keeps the path; paths
    carry no personal data (record ids only)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
