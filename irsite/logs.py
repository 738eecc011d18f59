"""Structured logs: one JSON object per line, for Django's loggers and gunicorn's."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else passed through `extra=` goes into the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            # django.request's error records carry the request: say which one failed.
            line["method"] = request.method
            line["path"] = request.get_full_path()
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request" and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


try:
    from gunicorn import glogging
except ImportError:  # gunicorn is a server dependency; Django alone does not need it
    glogging = None

if glogging is not None:

    class GunicornJsonLogger(glogging.Logger):
        """gunicorn's error and access logs as JSON lines on stdout (see gunicorn.conf.py)."""

        def setup(self, cfg) -> None:
            super().setup(cfg)
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(JsonFormatter())
            for log in (self.error_log, self.access_log):
                log.handlers = [handler]
                log.propagate = False

        def access(self, resp, req, environ, request_time) -> None:
            if not self.cfg.accesslog and not self.cfg.logconfig_dict:
                return
            atoms = self.atoms(resp, req, environ, request_time)
            self.access_log.info(
                "request",
                extra={
                    "remote_addr": atoms["h"],
                    "method": atoms["m"],
                    "path": atoms["U"],
                    "query": atoms["q"],
                    "status": int(atoms["s"]),
                    "bytes": atoms["B"],
                    "duration_ms": round(atoms["D"] / 1000, 2),
                    "user_agent": atoms["a"],
                    "referer": atoms["f"],
                    "pid": int(atoms["p"].strip("<>")),
                },
            )


class GranianAccessFormatter(JsonFormatter):
    """granian's access log (`irsite.server`) as the same JSON line gunicorn's gives: granian
    logs each request with its fields as the record's arguments, not as attributes."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.args if isinstance(record.args, dict) else {}
        record.args = ()
        record.msg = "request"
        for name, key in (("addr", "remote_addr"), ("method", "method"), ("path", "path"),
                          ("query_string", "query"), ("status", "status")):  # fmt: skip
            if name in fields:
                setattr(record, key, fields[name])
        if "dt_ms" in fields:
            record.duration_ms = round(fields["dt_ms"], 2)
        return super().format(record)


def granian_logging() -> dict:
    """granian's logging configuration: its own lines and its access log as JSON on stdout."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "irsite.logs.JsonFormatter"},
            "access": {"()": "irsite.logs.GranianAccessFormatter"},
        },
        "handlers": {
            "console": {**handler, "formatter": "json"},
            "access": {**handler, "formatter": "access"},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
