"""WebFunction: the page, its assets and GET /config, replayed from events/ fixtures."""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from imagejobs.engines.base import MAX_SEED, STYLES
from tests.support import template
from tests.support.events import event_for_job, load_event, response_json, with_headers
from tests.support.functions import Function, LoadHandler
from tests.support.moto_aws import MotoResources

WEB = Path(__file__).resolve().parents[2] / "clients" / "web"


def headers(response: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): values[-1] for name, values in response["multiValueHeaders"].items()}


def csp_directives(response: dict[str, Any]) -> dict[str, list[str]]:
    directives = {}
    for directive in headers(response)["content-security-policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def served_without_key(web: Function, event_name: str) -> dict[str, Any]:
    """The answer to a fixture API Gateway sends with no API key: a 200."""
    event = load_event(event_name)
    assert event["requestContext"]["identity"]["apiKeyId"] is None
    response = web.invoke(event)
    assert response["statusCode"] == 200
    return response


def test_the_page_is_served_without_a_key_with_a_strict_policy(
    web: Function, resources: MotoResources
) -> None:
    # Given the fixture API Gateway sends for GET / with no API key
    # When the page is requested
    response = served_without_key(web, "api-get-web-page")

    # Then it is the HTML page, loading its script as a module from a relative URL
    sent = headers(response)
    assert sent["content-type"] == "text/html; charset=utf-8"
    assert response["isBase64Encoded"] is False
    assert '<script type="module" src="assets/app.js"></script>' in response["body"]
    assert response["body"] == (WEB / "index.html").read_text()
    # And browsers revalidate it by its ETag instead of running a stale copy after a deploy
    assert sent["cache-control"] == "no-cache"
    assert re.fullmatch(r'"[0-9a-f]{32}"', sent["etag"])
    assert sent["x-content-type-options"] == "nosniff"
    # And the policy allows nothing inline and nothing third-party but the images' origin
    policy = csp_directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    bucket_origin = f"https://{resources.bucket_name}.s3.amazonaws.com"
    # (and blob: URLs, which only the page's own script can make: the file chosen, previewed)
    assert policy["img-src"] == ["'self'", bucket_origin, "blob:"]
    # And it calls the API, and the bucket only to send an upload's file
    assert policy["connect-src"] == ["'self'", bucket_origin]
    assert "unsafe" not in sent["content-security-policy"]
    assert "*" not in sent["content-security-policy"]


def test_the_images_origin_in_the_policy_is_the_status_routes_own(
    web: Function, resources: MotoResources
) -> None:
    # Given a URL the status function's image store would hand out
    from imagejobs.dal.image_store import S3ImageStore, s3_client

    url = S3ImageStore(resources.bucket_name, s3_client()).url_for("images/x/0.png", 3600)

    # Then the page's policy names exactly its origin
    parts = urlsplit(url)
    assert web.module.image_origin == f"{parts.scheme}://{parts.netloc}"


def test_the_upload_origin_in_the_policy_is_the_one_post_uploads_hands_out(
    web: Function, resources: MotoResources
) -> None:
    # Given the presigned POST the submit function's image store would hand out
    from imagejobs.dal.image_store import S3ImageStore, s3_client

    url, _ = S3ImageStore(resources.bucket_name, s3_client()).presigned_post(
        "uploads/t/up_1", max_bytes=10, expires_in=60
    )

    # Then the page may call exactly its origin
    parts = urlsplit(url)
    assert web.module.upload_origin == f"{parts.scheme}://{parts.netloc}"
    assert f"connect-src 'self' {web.module.upload_origin};" in web.module.policy


def referenced_assets() -> set[str]:
    """Every local file the page loads: index.html's src/href and the modules' imports."""
    found = set(re.findall(r'(?:src|href)="(assets/[^"]+)"', (WEB / "index.html").read_text()))
    for module in (WEB / "assets").glob("*.js"):
        found.update(
            f"assets/{name}" for name in re.findall(r'from "\./([^"]+)"', module.read_text())
        )
    return found


def test_every_file_the_page_loads_is_served_with_its_content_type(web: Function) -> None:
    # Given what the page and its modules reference
    wanted = referenced_assets()
    assert {"assets/app.js", "assets/style.css", "assets/api.js"} <= wanted
    expected_types = {
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml",
    }

    for path in sorted(wanted):
        # When each is requested as the browser would
        name = path.removeprefix("assets/")
        event = event_for_job("api-get-web-asset", "unused")
        event["path"] = f"/{path}"
        event["pathParameters"] = {"name": name}
        response = web.invoke(event)

        # Then it is served, as text, with the type its extension says
        assert response["statusCode"] == 200, path
        assert response["body"] == (WEB / path).read_text()
        assert headers(response)["content-type"] == expected_types[Path(path).suffix]
        assert response["isBase64Encoded"] is False


def test_a_revalidation_with_the_current_etag_is_a_304_without_a_body(web: Function) -> None:
    # Given the ETag of the current app.js
    first = web.invoke("api-get-web-asset")
    etag = headers(first)["etag"]

    # When the browser revalidates with it, and with a stale one
    not_modified = web.invoke(with_headers(load_event("api-get-web-asset"), If_None_Match=etag))
    modified = web.invoke(with_headers(load_event("api-get-web-asset"), If_None_Match='"0"'))

    # Then the current one is a 304 with no body, the stale one the whole file
    assert not_modified["statusCode"] == 304
    assert not_modified["body"] == ""
    assert modified["statusCode"] == 200
    assert modified["body"] == first["body"]


@pytest.mark.parametrize(
    ("event_name", "status"),
    [("api-get-web-asset-unknown", 404), ("api-get-web-asset-traversal", 400)],
)
def test_nothing_but_the_page_files_can_be_fetched(
    web: Function, event_name: str, status: int
) -> None:
    # When a file that is not an asset, or a path out of the folder, is asked for
    code, body = web.call(event_name)

    # Then the answer is a JSON error, never a file
    assert code == status
    assert body["error"] in {"not_found", "validation_error"}


def test_config_answers_the_deployments_limits(web: Function) -> None:
    # Given the template's defaults (the built-in engine, MaxImageSize 2048)
    defaults = template.parameter_defaults()

    # When a client reads the limits, without a key
    code, config = web.call("api-get-config")

    # Then they are the API model's, narrowed by the deployment
    assert code == 200
    assert (config["engine"], config["default_model"]) == ("pillow", "pillow")
    assert config["side"] == {"min": 64, "max": int(defaults["MaxImageSize"]), "default": 512}
    assert config["num_images"] == {"min": 1, "max": 4, "default": 1}
    assert config["seed"] == {"min": 0, "max": MAX_SEED, "default": None}
    assert config["formats"] == ["png", "jpeg", "webp"]
    assert config["default_format"] == "png"
    assert config["lossy_formats"] == ["jpeg", "webp"]
    assert config["quality"] == {"min": 1, "max": 100, "default": 90}
    assert config["styles"] == list(STYLES)
    assert config["default_style"] == "none"
    assert config["guidance"] == {"min": 1.1, "max": 10.0, "default": 6.5}
    assert config["prompt"] == {"max_length": 2000}
    assert config["negative_prompt"] == {"max_length": 2000}
    assert config["job_retention_days"] == int(defaults["JobRetentionDays"])
    assert config["image_url_expiry_seconds"] == int(defaults["ImageUrlExpirySeconds"])


def test_config_follows_the_deployments_default_model_and_size_cap(
    load_handler: LoadHandler,
) -> None:
    # Given a deployment whose default is SD3.5 Large, with a 1024-pixel cap
    sd35 = "stability.sd3-5-large-v1:0"
    web = load_handler(
        "WebFunction", MODELS=f"pillow,{sd35}", DEFAULT_MODEL=sd35, MAX_IMAGE_SIZE="1024"
    )

    # When a client reads the limits
    config = response_json(web.invoke("api-get-config"))

    # Then they are that model's and that cap, where narrower than the API's own
    assert (config["engine"], config["default_model"]) == (f"bedrock:{sd35}", sd35)
    assert config["side"]["max"] == 1024
    assert config["guidance"] is None
    assert config["seed"]["max"] == MAX_SEED


def test_what_config_allows_at_its_edges_is_what_submit_accepts(
    web: Function, load_handler: LoadHandler
) -> None:
    # Given the limits the page is built from
    config = response_json(web.invoke("api-get-config"))
    submit = load_handler("SubmitFunction")

    def status_of(**body: Any) -> int:
        event = load_event("api-post-jobs-minimal")
        event["body"] = json.dumps({"prompt": "a fox", **body})
        return int(submit.invoke(event)["statusCode"])

    # Then a request at each edge is accepted, and one step past it is refused
    side, count, guidance = config["side"], config["num_images"], config["guidance"]
    assert status_of(width=side["max"], height=side["min"]) == 202
    assert status_of(width=side["max"] + 1) == 422
    assert status_of(height=side["min"] - 1) == 422
    assert status_of(num_images=count["max"], width=64, height=64) == 202
    assert status_of(num_images=count["max"] + 1) == 422
    assert status_of(guidance=guidance["max"], width=64, height=64) == 202
    assert status_of(guidance=guidance["max"] + 0.1) == 422
    assert status_of(prompt="x" * config["prompt"]["max_length"], width=64, height=64) == 202
    assert status_of(prompt="x" * (config["prompt"]["max_length"] + 1)) == 422
    assert status_of(format=config["lossy_formats"][0], quality=config["quality"]["max"]) == 202


def test_the_stage_url_without_its_slash_redirects_to_the_page(web: Function) -> None:
    # When the page is asked for as `…/v1`, where relative URLs would lose the stage
    response = web.invoke("api-get-web-page-no-slash")

    # Then the browser is sent on to `…/v1/`, by a URL relative to where it is
    assert response["statusCode"] == 308
    assert headers(response)["location"] == "v1/"
    assert response["body"] == ""


API_DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_api_document_is_served_without_a_key_as_committed(web: Function) -> None:
    # Given the fixture for GET /openapi.json with no API key
    # When it is requested
    response = served_without_key(web, "api-get-openapi-document")

    # Then it is the committed document, byte for byte, as JSON
    assert headers(response)["content-type"] == "application/json"
    assert response["body"] == API_DOCUMENT.read_text()


def test_the_docs_page_is_swagger_ui_showing_the_committed_document(
    web: Function, resources: MotoResources
) -> None:
    # Given the fixture for GET /docs with no API key
    event = load_event("api-get-docs")

    # When the page is requested, and the document it shows
    page = web.invoke(event)
    event["queryStringParameters"] = {"format": "json"}
    event["multiValueQueryStringParameters"] = {"format": ["json"]}
    shown = web.invoke(event)

    # Then it is Swagger UI with its script inline (nothing from a CDN), an Authorize for the key
    assert page["statusCode"] == 200
    assert headers(page)["content-type"] == "text/html"
    assert "SwaggerUIBundle(" in page["body"]
    assert "<script src=" not in page["body"]
    assert '"x-api-key"' in page["body"]
    # And the document it shows is the committed one, the whole API's (web.py hands it to
    # Powertools through a private attribute: this fails if Powertools stops reading it)
    assert json.loads(shown["body"]) == json.loads(API_DOCUMENT.read_text())
