"""Structured logs: one JSON object a line, each carrying the request id.

``chain-tutor run`` calls :func:`logging_config` and hands the result to
gunicorn (its ``logconfig_dict``), so the app's own lines, gunicorn's error
lines and its access lines all come out as JSON on standard error/output
(``LOG_FORMAT=json``, the default) or as readable text (``LOG_FORMAT=text``).
The formatting is python-json-logger's; what we add is the request id
(:class:`RequestIdFilter`) and, on access lines, gunicorn's request atoms as
fields rather than a sentence to parse.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("json", "text")

# gunicorn access-log atoms worth a field of their own, under readable names.
ACCESS_FIELDS = {
    "h": "remote_addr", "m": "method", "U": "path", "q": "query", "s": "status", "B": "bytes",
    "L": "duration_s", "{x-request-id}o": "request_id", "a": "user_agent",
}


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id``: the current request's, else ``None``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access line as fields (status, duration, request id...) beside its message."""

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        for atom, field in ACCESS_FIELDS.items():
            value = atoms.get(atom)
            if value not in (None, "-"):
                log_data[field] = value
        log_data.pop("args", None)


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the app and gunicorn in ``log_format`` (json or text)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    json_fields = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
    formatters: dict[str, Any] = {
        "json": {"()": JsonFormatter, "fmt": json_fields, "rename_fields": {"levelname": "level"}},
        "access_json": {"()": AccessJsonFormatter, "fmt": "%(asctime)s %(name)s %(message)s"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "access_text": {"format": "%(message)s"},
    }
    main, access = ("json", "access_json") if log_format == "json" else ("text", "access_text")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": formatters,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": main, "filters": ["request_id"],
                        "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": access, "stream": "ext://sys.stdout"},
        },
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
