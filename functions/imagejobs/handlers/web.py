"""WebFunction: the page (`GET /` and `GET /assets/{name}`), `GET /config`, and the API's
contract: `GET /openapi.json` and its Swagger UI at `GET /docs`.

None of these carries tenant data, so API Gateway serves them without an API key; the page
asks for the key and sends it to the other routes itself. The function makes no AWS call.

The OpenAPI document is the committed docs/openapi.json (packaged as functions/openapi.json),
which `make lint` checks is the one the code generates: generating it here would import every
API function's handler, with their settings and AWS clients, into this light function.
"""

import json
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.handlers.api_contract import (
    NO_KEY,
    NOT_MODIFIED,
    api_merge,
    errors,
    json_body,
    text_body,
)
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.resolver import Routes, serve_api
from imagejobs.logic.web import (
    Asset,
    content_security_policy,
    deployment_config,
    load_assets,
    page_headers,
)
from imagejobs.models.config import ConfigView
from imagejobs.observability import logger, tracer
from imagejobs.settings import WebSettings

# clients/web, which sam build copies into the package as web/ (functions/web links to it).
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
# docs/openapi.json, which sam build copies into the package (functions/openapi.json links to it).
API_DOCUMENT = Path(__file__).resolve().parents[2] / "openapi.json"

settings = WebSettings.from_environment()
assets = load_assets(WEB_ROOT)
# The page may show pictures from where the status routes' presigned URLs point, and send an
# upload's file where POST /uploads' presigned POSTs point, only.
_bucket = S3ImageStore(settings.bucket_name, s3_client())
image_origin = _bucket.url_origin()
upload_origin = _bucket.post_origin()
policy = content_security_policy(image_origin, upload_origin)
config = deployment_config(settings)

app = APIGatewayRestResolver(enable_validation=True)
serve_api(app)
web_routes = Routes(app, "web", security=NO_KEY)  # none of these needs a key

AssetName = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9_-]*\.[a-z]+$")]


def _serve(asset: Asset | None) -> Response[str]:
    if asset is None:
        raise NotFoundError  # answered as a route that is not (handlers/http_errors.py)
    headers = page_headers(asset, policy)
    if app.current_event.headers.get("If-None-Match") == asset.etag:
        return Response(status_code=HTTPStatus.NOT_MODIFIED.value, body="", headers=headers)
    return Response(
        status_code=HTTPStatus.OK.value,
        content_type=asset.content_type,
        body=asset.body,
        headers=headers,
    )


@web_routes.get(
    "/",
    {
        200: text_body("The page", "text/html"),
        304: NOT_MODIFIED,
        **errors(keyed=False),
    },
)
def page() -> Response[str]:
    """The web page

    `…/v1` without its slash answers a 308 to `v1/`, so relative URLs keep the stage."""
    request = app.current_event.request_context
    if request.path == f"/{request.stage}":
        # `…/v1` without its slash: the page's relative URLs would drop the stage. The
        # Location is relative too, so it holds on AWS and behind LocalStack's prefix.
        return Response(
            status_code=HTTPStatus.PERMANENT_REDIRECT.value,
            body="",
            headers={"Location": f"{request.stage}/", "Cache-Control": "no-cache"},
        )
    return _serve(assets.get("index.html"))


@web_routes.get(
    "/assets/<name>",
    {
        200: text_body("The file", "text/javascript", "text/css", "image/svg+xml"),
        304: NOT_MODIFIED,
        **errors(404, keyed=False, described={404: "No such file"}),
    },
)
def asset(name: AssetName) -> Response[str]:
    """A file of the web page"""
    return _serve(assets.get(f"assets/{name}"))


@web_routes.get("/config", {200: json_body("The limits", ConfigView), **errors(keyed=False)})
def get_config() -> ConfigView:
    """This deployment's limits: what a client may ask for"""
    return config


@cache
def _api_document() -> str:
    return API_DOCUMENT.read_text(encoding="utf-8")


@web_routes.get(
    "/openapi.json",
    {
        200: {
            "description": "The OpenAPI document of the whole API",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **errors(keyed=False),
    },
)
def get_api_document() -> Response[str]:
    """This document"""
    return Response(
        status_code=HTTPStatus.OK.value,
        content_type="application/json",
        body=_api_document(),
        headers={"Cache-Control": "no-cache"},
    )


def _with_api_document(app: APIGatewayRestResolver, next_middleware: Callable[..., Any]) -> Any:
    """Swagger UI shows Powertools' merged document; here that is the committed one, framed
    by the same merge that generated it (so it is the same document), loaded on first use.

    Powertools has no public way to hand Swagger UI a document: its public setter,
    configure_openapi_merge, imports every API function's handler to discover their routes,
    which this light function must not. So this sets the attribute that setter sets, and
    test_web_handler.py's test_the_docs_page_is_swagger_ui_showing_the_committed_document
    fails if Powertools stops reading it (the page would show only this function's routes).
    """
    if getattr(app, "_openapi_merge", None) is None:
        merge = api_merge()
        merge.add_schema(json.loads(_api_document()))
        app._openapi_merge = merge
    return next_middleware(app)


# Swagger UI and its assets come inline from Powertools' own copy: nothing from a CDN.
app.enable_swagger(path="/docs", persist_authorization=False, middlewares=[_with_api_document])


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_before_routing(event) or app.resolve(event, context)
