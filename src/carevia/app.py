"""The application factory: routers, plugins, middleware, lifespan and error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from carevia.controllers.health import healthz, readyz
from carevia.controllers.pages import PageController
from carevia.controllers.seo import robots, sitemap
from carevia.controllers.services import ServiceController
from carevia.db import connected_database
from carevia.dependencies import DEPENDENCIES
from carevia.settings import Settings
from carevia.web.errors import EXCEPTION_HANDLERS
from carevia.web.security import add_security_headers
from carevia.web.templating import template_config


def create_app(settings: Settings) -> Litestar:
    settings.validate_for_start()

    @asynccontextmanager
    async def database_lifespan(app: Litestar) -> AsyncIterator[None]:
        async with connected_database(settings) as database:
            app.state.database = database
            yield

    return Litestar(
        route_handlers=[
            PageController,
            ServiceController,
            healthz,
            readyz,
            sitemap,
            robots,
            create_static_files_router(
                path="/static", directories=[settings.static_dir], include_in_schema=False
            ),
        ],
        dependencies={
            **DEPENDENCIES,
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
        },
        lifespan=[database_lifespan],
        before_send=[add_security_headers],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            exclude=[r"^/webhooks/stripe$"],
        ),
        template_config=template_config(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(title="Carevia API", version="1", path="/schema"),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        debug=False,
    )
