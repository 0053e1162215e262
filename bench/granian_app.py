"""The app built from the environment, as `carevia serve` builds it, for granian to serve.

Used by `bench/sse.py --server granian`: `granian --interface asgi --factory granian_app:app`.
"""

from __future__ import annotations

from litestar import Litestar

from carevia.app import create_app
from carevia.settings import Settings


def app() -> Litestar:
    return create_app(Settings.from_env())
