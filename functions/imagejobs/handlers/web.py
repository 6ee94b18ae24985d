"""WebFunction: the page (`GET /` and `GET /assets/{name}`) and `GET /config`.

None of these carries tenant data, so API Gateway serves them without an API key; the page
asks for the key and sends it to the other routes itself. The function makes no AWS call.
"""

from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.handlers.http_errors import error_response, register_error_handlers
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.logic.web import Asset, deployment_config, load_assets, page_headers
from imagejobs.models.config import ConfigView
from imagejobs.observability import logger, tracer
from imagejobs.settings import WebSettings

# clients/web, which sam build copies into the package as web/ (functions/web links to it).
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"

settings = WebSettings.from_environment()
assets = load_assets(WEB_ROOT)
# The page may show pictures from where the status routes' presigned URLs point, only.
image_origin = S3ImageStore(settings.bucket_name, s3_client()).url_origin()
config = deployment_config(settings)

app = APIGatewayRestResolver(enable_validation=True)
register_error_handlers(app)

AssetName = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9_-]*\.[a-z]+$")]


def _serve(asset: Asset | None) -> Response[str]:
    if asset is None:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such resource")
    headers = page_headers(asset, image_origin)
    if app.current_event.headers.get("If-None-Match") == asset.etag:
        return Response(status_code=HTTPStatus.NOT_MODIFIED.value, body="", headers=headers)
    return Response(
        status_code=HTTPStatus.OK.value,
        content_type=asset.content_type,
        body=asset.body,
        headers=headers,
    )


@app.get("/")
@tracer.capture_method
def page() -> Response[str]:
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


@app.get("/assets/<name>")
@tracer.capture_method
def asset(name: AssetName) -> Response[str]:
    return _serve(assets.get(f"assets/{name}"))


@app.get("/config")
@tracer.capture_method
def get_config() -> ConfigView:
    return config


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_before_routing(event) or app.resolve(event, context)
