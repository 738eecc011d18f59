"""Structured logs: one JSON object per line, for Django's loggers and gunicorn's."""

import json
import logging
import sys
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else passed through `extra=` goes into the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
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
