"""The one gate every API request passes before routing: body size, encoding and JSON shape.

Powertools' resolver validates a request before any middleware runs, and its JSON parsing
knows no limits: an integer of thousands of digits or JSON nested thousands of levels deep
raises deep inside it. So the body is checked here first, once, for every route:

- at most MAX_BODY_BYTES; the limit admits every valid request in any valid JSON encoding
  (two 2,000-character prompts of emoji escaped as \\ud83d\\ude00 are 48,000 bytes);
- not content-encoded (API Gateway passes gzip bodies through as they came);
- UTF-8, as JSON must be (RFC 8259), with no byte order mark;
- JSON nested at most MAX_JSON_DEPTH levels, counted on the text before anything parses it
  (Python's parser recurses, and so would any walk of what it returns), with integers of at
  most MAX_INTEGER_DIGITS.

The media type in Content-Type is case-insensitive (RFC 9110), so it is lower-cased for the
resolver, which compares it as text.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from http import HTTPStatus
from itertools import accumulate
from typing import Any

from imagejobs.handlers.http_errors import early_error_response

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
# Far above any value the API takes (seeds are below 2**31), far below Python's own limit.
MAX_INTEGER_DIGITS = 40


class _BodyRefused(Exception):
    def __init__(self, status: HTTPStatus, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def refuse_before_routing(event: dict[str, Any]) -> dict[str, Any] | None:
    """An error response for a request no route should see, or None (the event may have been
    normalised in place)."""
    _lower_case_media_type(event)
    try:
        _check_body(event)
    except _BodyRefused as refused:
        return early_error_response(refused.status, refused.error, refused.message)
    return None


def _headers(event: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): value for name, value in (event.get("headers") or {}).items()}


def _lower_case_media_type(event: dict[str, Any]) -> None:
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key) or {}
        for name, value in headers.items():
            if name.lower() == "content-type":
                headers[name] = (
                    [_lower_media_type(v) for v in value]
                    if isinstance(value, list)
                    else _lower_media_type(value)
                )


def _lower_media_type(value: str) -> str:
    media_type, separator, parameters = value.partition(";")
    return media_type.strip().lower() + separator + parameters


def _check_body(event: dict[str, Any]) -> None:
    body = event.get("body")
    if not body:
        # The resolver parses a declared form even when it is empty, and a multipart type with
        # no boundary makes it raise; no route takes a form.
        if _is_form(_headers(event).get("content-type", "")):
            raise _not_json()
        return
    raw = _raw_bytes(body, bool(event.get("isBase64Encoded")))
    if len(raw) > MAX_BODY_BYTES:
        raise _BodyRefused(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "request_too_large",
            f"The request body must be at most {MAX_BODY_BYTES} bytes",
        )
    headers = _headers(event)
    if headers.get("content-encoding", "identity").strip().lower() != "identity":
        raise _BodyRefused(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the request body without a Content-Encoding",
        )
    if not _is_json(headers.get("content-type", "")):
        # Every route takes JSON; the resolver would otherwise try to parse forms itself.
        raise _not_json()
    text = _utf8(raw)
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise _nesting_refused()
    try:
        json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except ValueError:
        return  # malformed JSON: the resolver names it (400, json_invalid)


def _not_json() -> _BodyRefused:
    return _BodyRefused(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Send the request body as application/json",
    )


def _is_form(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip()
    return media_type.startswith("multipart/") or media_type == "application/x-www-form-urlencoded"


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip()
    return media_type == "application/json" or media_type.endswith("+json")


def _raw_bytes(body: str, base64_encoded: bool) -> bytes:
    if not base64_encoded:
        return body.encode("utf-8", errors="surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise _BodyRefused(
            HTTPStatus.BAD_REQUEST, "invalid_body", "The request body is not valid base64"
        ) from None


def _utf8(raw: bytes) -> str:
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise _not_utf8()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None


def _not_utf8() -> _BodyRefused:
    return _BodyRefused(
        HTTPStatus.BAD_REQUEST,
        "invalid_body",
        "The request body must be JSON encoded as UTF-8, without a byte order mark",
    )


def _nesting_refused() -> _BodyRefused:
    return _BodyRefused(
        HTTPStatus.BAD_REQUEST,
        "invalid_body",
        f"The request body nests JSON more than {MAX_JSON_DEPTH} levels deep",
    )


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _BodyRefused(
            HTTPStatus.BAD_REQUEST,
            "invalid_body",
            f"The request body has an integer of more than {MAX_INTEGER_DIGITS} digits",
        )
    return int(digits)


def _no_constant(name: str) -> float:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise ValueError(name)


# A JSON string, escapes included; what is left outside strings is structure and scalars.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (0 for a scalar), read off its brackets
    outside strings, without parsing it and without recursion. Malformed text gets a number
    too: the parser refuses it afterwards."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
