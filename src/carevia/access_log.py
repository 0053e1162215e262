"""The server's access log without query strings: links carry tokens, filters carry names."""

from __future__ import annotations

import logging


class WithoutQueryStrings(logging.Filter):
    """Drops the query string from uvicorn's access lines; the path and status stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn logs (client, method, path with query, http version, status).
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def drop_query_strings_from_access_log() -> None:
    """Call after uvicorn has configured its loggers."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, WithoutQueryStrings) for existing in access.filters):
        access.addFilter(WithoutQueryStrings())
