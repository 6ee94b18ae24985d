"""What makes a Powertools resolver an API function's: `serve_api` gives it the document's frame
and the error answers, and `Routes` registers its routes, traced and documented."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from imagejobs.handlers.api_contract import describe_api
from imagejobs.handlers.http_errors import register_error_handlers
from imagejobs.observability import tracer


def serve_api(app: APIGatewayRestResolver) -> None:
    """Makes `app` an API function's resolver: the document's frame (so that its own document
    is whole too) and the error answers (handlers/http_errors.py)."""
    describe_api(app)
    register_error_handlers(app)


class Routes:
    """A function's routes under one tag of the document, traced. As FastAPI does, a route's
    summary is its handler's docstring's first paragraph, its description the rest (each
    paragraph's lines joined); `options` are the resolver's own (security, status_code), for
    every route here or for one."""

    def __init__(self, app: APIGatewayRestResolver, tag: str, **options: Any) -> None:
        self._app = app
        self._tag = tag
        self._options = options

    def get[F: Callable[..., Any]](
        self, path: str, responses: dict[int, OpenAPIResponse], **options: Any
    ) -> Callable[[F], F]:
        return self._route(self._app.get, path, responses, options)

    def post[F: Callable[..., Any]](
        self, path: str, responses: dict[int, OpenAPIResponse], **options: Any
    ) -> Callable[[F], F]:
        return self._route(self._app.post, path, responses, options)

    def _route[F: Callable[..., Any]](
        self,
        register: Callable[..., Callable[[F], F]],
        path: str,
        responses: dict[int, OpenAPIResponse],
        options: dict[str, Any],
    ) -> Callable[[F], F]:
        def decorate(handler: F) -> F:
            summary, _, description = (inspect.getdoc(handler) or "").partition("\n\n")
            return register(
                path,
                summary=_one_line(summary),
                description=_one_line(description) or None,
                tags=[self._tag],
                responses=responses,
                **self._options,
                **options,
            )(tracer.capture_method(handler))

        return decorate


def _one_line(text: str) -> str:
    return " ".join(text.split())
