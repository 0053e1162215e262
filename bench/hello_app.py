"""The reference for bench/http_pages.py: a bare Litestar app answering one short text.

It is served by uvicorn with the same settings as `carevia serve`, so the ratio to it shows
what Carevia adds to the framework and the server.
"""

from __future__ import annotations

import sys

import uvicorn
from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> str:
    return "Hello, world!"


app = Litestar(route_handlers=[hello])

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        server_header=False,
        timeout_graceful_shutdown=5,
        log_level="info",
    )
