from __future__ import annotations

from typing import Any

from litestar import Request


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None
