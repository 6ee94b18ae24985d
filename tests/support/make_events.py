"""Regenerates events/*.json: `python -m tests.support.make_events` (needs the dev venv's sam).

Each event starts as `sam local generate-event` output, so the fixtures have exactly the shape
that `sam local invoke -e` feeds a function, then gets its route, body and headers set.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

from imagejobs.handlers.request_gate import MAX_BODY_BYTES

EVENTS = Path(__file__).resolve().parents[2] / "events"
JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"
UNKNOWN_JOB_ID = "00000000-0000-4000-8000-000000000000"
STAGE = "v1"
# The id API Gateway puts in requestContext.identity once it has checked the caller's key.
API_KEY_ID = "tenant-a-key-id"


def _sam_event(*args: str) -> dict[str, Any]:
    output = subprocess.run(
        ["sam", "local", "generate-event", *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output)  # type: ignore[no-any-return]


def api_event(  # noqa: PLR0913 - the parts of an API Gateway proxy event
    method: str,
    resource: str,
    path: str,
    *,
    body: str | None = None,
    content_type: str | None = "application/json",
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    api_key_id: str | None = API_KEY_ID,
) -> dict[str, Any]:
    event = _sam_event(
        "apigateway",
        "aws-proxy",
        "--method",
        method,
        "--path",
        path.lstrip("/"),
        "--resource",
        resource,
        "--stage",
        STAGE,
        "--body",
        body or "",
    )
    event["path"] = path
    event["body"] = body
    event["isBase64Encoded"] = False
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = (
        {name: [value] for name, value in query.items()} if query else None
    )
    event["stageVariables"] = None
    event["pathParameters"] = path_parameters
    headers = {"Accept": "application/json", "Host": event["headers"]["Host"]}
    if content_type:
        headers["Content-Type"] = content_type
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    context = event["requestContext"]
    context.update(path=f"/{STAGE}{path}", resourcePath=resource, httpMethod=method)
    context["identity"]["apiKeyId"] = api_key_id
    context["identity"]["apiKey"] = None  # the key's value never reaches the function
    return event


def post(path: str, body: str, **kwargs: Any) -> dict[str, Any]:
    return api_event("POST", path, path, body=body, **kwargs)


def get(resource: str, job_id: str, **kwargs: Any) -> dict[str, Any]:
    path = resource.replace("{job_id}", job_id)
    return api_event(
        "GET", resource, path, content_type=None, path_parameters={"job_id": job_id}, **kwargs
    )


def raw_body(
    event: dict[str, Any], body: str | bytes, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The event with a body `sam local generate-event` cannot take: bytes arrive base64
    encoded (as API Gateway sends a binary body), a str may hold undecodable bytes as
    surrogate escapes (as a gateway that does not check UTF-8 passes them on)."""
    if isinstance(body, bytes):
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    else:
        event["body"] = body
    event["headers"].update(headers or {})
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    return event


def list_jobs(query: dict[str, str] | None = None) -> dict[str, Any]:
    return api_event("GET", "/jobs", "/jobs", content_type=None, query=query)


def without_trailing_slash(event: dict[str, Any]) -> dict[str, Any]:
    """The stage's URL as typed without its slash (`…/v1`): API Gateway routes it to `/`."""
    event["requestContext"]["path"] = f"/{STAGE}"
    return event


def web_asset(name: str) -> dict[str, Any]:
    return api_event(
        "GET",
        "/assets/{name}",
        f"/assets/{name}",
        content_type=None,
        path_parameters={"name": name},
        api_key_id=None,
    )


def sqs_event(*bodies: str, queue: str = "JobsQueue", receive_count: int = 1) -> dict[str, Any]:
    event = _sam_event("sqs", "receive-message", "--queue-name", queue, "--body", "x")
    template = event["Records"][0]
    records = []
    for index, body in enumerate(bodies):
        record = json.loads(json.dumps(template))
        record["messageId"] = f"{index:08d}-0000-4000-8000-000000000000"
        record["body"] = body
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    event["Records"] = records
    return event


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def all_events() -> dict[str, dict[str, Any]]:
    good = {"prompt": "a lighthouse on a cliff at sunset", "width": 256, "height": 192, "seed": 42}
    return {
        # Good requests
        "api-post-jobs": post("/jobs", _json(good)),
        "api-post-jobs-minimal": post("/jobs", _json({"prompt": "a quiet forest at night"})),
        "api-post-jobs-styled": post(
            "/jobs",
            _json(
                {
                    **good,
                    "num_images": 3,
                    "format": "webp",
                    "quality": 80,
                    "style": "vibrant",
                    "guidance": 7.5,
                }
            ),
        ),
        "api-post-generate": post(
            "/generate",
            _json(
                {
                    "prompt": "snowy mountains",
                    "parameters": {"width": 320, "height": 240, "style": "minimalist"},
                }
            ),
        ),
        "api-post-generate-image": post("/generate-image", _json({"prompt": "red roses"})),
        # What the replaced services' lax models took: numbers as text or whole floats, and
        # keys they did not know, ignored (the job lists their names).
        "api-post-generate-lax": post(
            "/generate",
            _json(
                {
                    "prompt": "snowy mountains",
                    "parameters": {"width": "320", "height": 240.0, "steps": 30, "sampler": "k"},
                    "model": "sd-1.5",
                }
            ),
        ),
        "api-post-generate-image-lax": post(
            "/generate-image",
            _json({"prompt": "red roses", "width": "64", "height": 64.0, "steps": 20}),
        ),
        # Python's json.dumps escapes every non-ASCII character: 12 bytes per emoji.
        "api-post-jobs-escaped-emoji": post(
            "/jobs",
            json.dumps({"prompt": "\U0001f305" * 2000, "negative_prompt": "\u96e8" * 2000}),
        ),
        "api-post-jobs-upper-case-media-type": post(
            "/jobs", _json({"prompt": "a red kite"}), content_type="APPLICATION/JSON"
        ),
        "api-get-job": get("/jobs/{job_id}", JOB_ID),
        "api-get-status": get("/status/{job_id}", JOB_ID),
        "api-get-result": get("/result/{job_id}", JOB_ID),
        "api-get-jobs": list_jobs({"limit": "10"}),
        "api-get-jobs-succeeded": list_jobs({"status": "succeeded"}),
        "api-post-cancel": api_event(
            "POST",
            "/jobs/{job_id}/cancel",
            f"/jobs/{JOB_ID}/cancel",
            path_parameters={"job_id": JOB_ID},
        ),
        # Bad requests
        "api-post-jobs-malformed-json": post("/jobs", '{"prompt": "unterminated'),
        "api-post-jobs-not-an-object": post("/jobs", _json(["a", "list"])),
        "api-post-jobs-no-body": api_event("POST", "/jobs", "/jobs", body=None),
        "api-post-jobs-missing-prompt": post("/jobs", _json({"width": 512})),
        "api-post-jobs-blank-prompt": post("/jobs", _json({"prompt": "   "})),
        "api-post-jobs-prompt-too-long": post("/jobs", _json({"prompt": "x" * 2001})),
        "api-post-jobs-wrong-type": post("/jobs", _json({"prompt": "cat", "width": "wide"})),
        "api-post-jobs-too-small": post("/jobs", _json({"prompt": "cat", "height": 32})),
        "api-post-jobs-too-large": post("/jobs", _json({"prompt": "cat", "width": 8192})),
        "api-post-jobs-over-deployment-limit": post(
            "/jobs", _json({"prompt": "cat", "width": 3000})
        ),
        "api-post-jobs-too-many-images": post("/jobs", _json({"prompt": "cat", "num_images": 5})),
        "api-post-jobs-bad-format": post("/jobs", _json({"prompt": "cat", "format": "gif"})),
        "api-post-jobs-unknown-field": post("/jobs", _json({"prompt": "cat", "steps": 50})),
        "api-post-jobs-bad-style": post("/jobs", _json({"prompt": "cat", "style": "cartoon"})),
        "api-post-jobs-quality-on-png": post("/jobs", _json({"prompt": "cat", "quality": 80})),
        "api-post-jobs-guidance-out-of-range": post(
            "/jobs", _json({"prompt": "cat", "guidance": 12.5})
        ),
        "api-post-jobs-guidance-and-cfg-scale": post(
            "/jobs", _json({"prompt": "cat", "guidance": 7, "cfg_scale": 8})
        ),
        "api-post-jobs-text-plain": post("/jobs", "a cat", content_type="text/plain"),
        "api-post-generate-bad-parameters": post(
            "/generate", _json({"prompt": "cat", "parameters": {"width": -1}})
        ),
        "api-post-jobs-control-characters": post("/jobs", _json({"prompt": "a cat\u0000"})),
        "api-post-jobs-invisible-prompt": post("/jobs", _json({"prompt": "\u200b \u2060\ufeff"})),
        "api-post-generate-control-characters": post(
            "/generate",
            _json({"prompt": "cat", "parameters": {"negative_prompt": "dog\u001b[31m"}}),
        ),
        "api-post-generate-image-lone-surrogate": post(
            "/generate-image", '{"prompt": "cat \\ud800"}'
        ),
        "api-post-jobs-number-as-text": post("/jobs", _json({"prompt": "cat", "width": "512"})),
        "api-post-generate-fractional-width": post(
            "/generate", _json({"prompt": "cat", "parameters": {"width": 512.5}})
        ),
        "api-post-generate-overflowing-number": post(
            "/generate", '{"prompt": "cat", "parameters": {"width": 1e400}}'
        ),
        "api-post-generate-huge-number-as-text": post(
            "/generate", _json({"prompt": "cat", "parameters": {"seed": "9" * 30}})
        ),
        "api-get-job-unknown": get("/jobs/{job_id}", UNKNOWN_JOB_ID),
        "api-get-job-malformed-id": get("/jobs/{job_id}", "not-a-job-id"),
        "api-get-job-other-tenant": get("/jobs/{job_id}", JOB_ID, api_key_id="tenant-b-key-id"),
        "api-get-job-no-api-key": get("/jobs/{job_id}", JOB_ID, api_key_id=None),
        "api-post-jobs-body-too-large": raw_body(
            post("/jobs", ""), _json({"prompt": "cat", "negative_prompt": "x" * MAX_BODY_BYTES})
        ),
        # Bodies no route can read
        "api-post-jobs-invalid-utf8": raw_body(
            post("/jobs", ""), '{"prompt": "caf\udce9 au lait"}'
        ),
        "api-post-jobs-utf16": raw_body(post("/jobs", ""), '{"prompt": "cat"}'.encode("utf-16")),
        "api-post-jobs-deeply-nested": post(
            "/jobs", '{"prompt": "cat", "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
        ),
        # Closed nesting the fuzz test found giving 502s: deep enough to break a recursive walk,
        # shallow enough for Python's parser, on each submit route
        "api-post-jobs-nested-arrays": post(
            "/jobs", '{"prompt": "x", "width": ' + "[" * 3000 + "]" * 3000 + "}"
        ),
        "api-post-generate-nested-objects": post("/generate", '{"a": ' * 1200 + "1" + "}" * 1200),
        "api-post-generate-image-nested-arrays": post(
            "/generate-image", '{"prompt": "x", "seed": ' + "[" * 1000 + "]" * 1000 + "}"
        ),
        "api-post-jobs-huge-integer": post(
            "/jobs", '{"prompt": "cat", "width": ' + "9" * 4301 + "}"
        ),
        "api-post-generate-huge-integer": post(
            "/generate", '{"prompt": "cat", "parameters": {"width": ' + "9" * 4301 + "}}"
        ),
        "api-post-jobs-gzip-encoded": raw_body(
            post("/jobs", _json({"prompt": "cat"})),
            _json({"prompt": "cat"}),
            {"Content-Encoding": "gzip"},
        ),
        "api-post-jobs-multipart-no-boundary": post(
            "/jobs", "--x\r\n\r\nprompt\r\n--x--", content_type="multipart/form-data"
        ),
        "api-post-jobs-many-long-unknown-fields": post(
            "/jobs", _json({"prompt": "cat", **{f"{n}" + "z" * 300: n for n in range(8)}})
        ),
        "api-get-jobs-bad-limit": list_jobs({"limit": "500"}),
        "api-get-jobs-bad-status": list_jobs({"status": "lost"}),
        "api-get-jobs-bad-cursor": list_jobs({"cursor": "not-a-cursor"}),
        # WebFunction: the page and the limits, which API Gateway serves without a key
        "api-get-web-page": api_event("GET", "/", "/", content_type=None, api_key_id=None),
        "api-get-web-page-no-slash": without_trailing_slash(
            api_event("GET", "/", "/", content_type=None, api_key_id=None)
        ),
        "api-get-web-asset": web_asset("app.js"),
        "api-get-web-asset-unknown": web_asset("missing.js"),
        "api-get-web-asset-traversal": web_asset("..%2Fsettings.py"),
        "api-get-openapi-document": api_event(
            "GET", "/openapi.json", "/openapi.json", content_type=None, api_key_id=None
        ),
        "api-get-docs": api_event("GET", "/docs", "/docs", content_type=None, api_key_id=None),
        "api-get-config": api_event(
            "GET", "/config", "/config", content_type=None, api_key_id=None
        ),
        # Worker
        "sqs-job": sqs_event(_json({"job_id": JOB_ID})),
        "sqs-poison": sqs_event("not json", _json({"job_id": JOB_ID})),
        # DeadLetterFunction: what reaches the DLQ after the last receive
        "sqs-dead-letter": sqs_event(
            _json({"job_id": JOB_ID}),
            "not json",
            _json({"job_id": UNKNOWN_JOB_ID}),
            queue="JobsDeadLetterQueue",
            receive_count=3,
        ),
        # SweepFunction: what its EventBridge schedule sends
        "schedule-sweep": _sam_event("cloudwatch", "scheduled-event"),
        # Webhooks: a job that asks for both events; the tenant's secret; one delivery
        "api-post-jobs-webhook": post(
            "/jobs",
            _json(
                {
                    "prompt": "a lighthouse on a cliff at sunset",
                    "width": 256,
                    "height": 192,
                    "webhook": "https://hooks.example.com/imagejobs",
                    "webhook_events_filter": ["started", "completed"],
                }
            ),
        ),
        "api-get-webhook-secret": api_event(
            "GET", "/webhooks/secret", "/webhooks/secret", content_type=None
        ),
        "api-post-webhook-secret-rotate": api_event(
            "POST", "/webhooks/secret/rotate", "/webhooks/secret/rotate", body=None
        ),
        "sqs-webhook": sqs_event(
            _json({"job_id": JOB_ID, "event": "completed", "attempt": 1}), queue="WebhookQueue"
        ),
    }


def main() -> None:
    EVENTS.mkdir(exist_ok=True)
    for name, event in all_events().items():
        (EVENTS / f"{name}.json").write_text(json.dumps(event, indent=2) + "\n")
    print(f"wrote {len(all_events())} events to {EVENTS}")


if __name__ == "__main__":
    main()
