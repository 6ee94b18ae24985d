"""Uploads as a client makes them, by hand, for tests that must bend them: `POST /uploads`, then
the presigned POST to S3 (multipart/form-data, the signed fields, a Content-Type, the file
last), each part under the test's control. The SDK's own upload is tested on its own."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.support.http import call


def offer(api_url: str, api_key: str) -> dict[str, Any]:
    """`POST /uploads`: the upload's id, and the presigned POST to send its file with."""
    answer = call("POST", api_url + "uploads", content_type=None, headers={"x-api-key": api_key})
    assert answer.status == 201, answer.body
    return answer.json()  # type: ignore[no-any-return]


def post_file(
    offered: dict[str, Any],
    data: bytes,
    content_type: str | None = "image/png",
    **changed: str,
) -> httpx2.Response:
    """The file POSTed to S3 as the offer says, with `changed` fields (a field set to "" is
    left out), and the Content-Type field unless it is None."""
    fields = {**offered["fields"], **changed}
    if content_type is not None:
        fields["Content-Type"] = content_type
    fields = {name: value for name, value in fields.items() if value != ""}
    return httpx2.post(
        offered["url"],
        data=fields,
        files={"file": ("image", data, content_type or "application/octet-stream")},
        timeout=60,
    )


def upload(api_url: str, api_key: str, data: bytes, content_type: str = "image/png") -> str:
    """Uploads `data`; its upload id."""
    offered = offer(api_url, api_key)
    sent = post_file(offered, data, content_type)
    assert sent.status_code == 204, sent.text
    return str(offered["upload_id"])
