"""Generated requests for every route, and what every answer to them must be.

One generator serves both tiers: the handler-level fuzz test turns each `FuzzRequest` into an
event (an events/ fixture of its route as the template), the end-to-end one sends it over HTTP.
Bodies are either structured, from the real field names with valid, odd and hostile values,
or arbitrary JSON, text or bytes; headers, the base64 flag, path ids and query strings vary too.
Valid submits stay tiny (at most 128 x 128, one image) so that the worker stays cheap.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from imagejobs.engines.base import IMAGE_FORMATS, STYLES
from imagejobs.models.api import ErrorResponse
from imagejobs.models.domain import JobStatus

# A run of this many characters of a request found in an error body is an echo (field names
# the caller chose are shown cut to 64).
ECHO_RUN = 65
# A string value this long that shows up in an error body was echoed (shorter ones can be
# words of our own messages by chance).
ECHOED_VALUE = 12


@dataclass(frozen=True)
class Route:
    fixture: str  # the events/ fixture of the route, the template of its events
    method: str
    path: str  # with {job_id} (or {name}) where the route takes one
    function: str  # the template's logical id of the function that answers it

    @property
    def parameter(self) -> str | None:
        """The name of the route's path parameter, if it has one."""
        match = re.search(r"\{(\w+)\}", self.path)
        return match.group(1) if match else None


ROUTES: tuple[Route, ...] = (
    Route("api-post-jobs", "POST", "/jobs", "SubmitFunction"),
    Route("api-post-generate", "POST", "/generate", "SubmitFunction"),
    Route("api-post-generate-image", "POST", "/generate-image", "SubmitFunction"),
    Route("api-post-cancel", "POST", "/jobs/{job_id}/cancel", "SubmitFunction"),
    Route("api-get-job", "GET", "/jobs/{job_id}", "StatusFunction"),
    Route("api-get-status", "GET", "/status/{job_id}", "StatusFunction"),
    Route("api-get-result", "GET", "/result/{job_id}", "StatusFunction"),
    Route("api-get-jobs", "GET", "/jobs", "StatusFunction"),
    Route("api-get-web-page", "GET", "/", "WebFunction"),
    Route("api-get-web-asset", "GET", "/assets/{name}", "WebFunction"),
    Route("api-get-config", "GET", "/config", "WebFunction"),
)
SUBMIT_ROUTES = ROUTES[:3]


class RawNumber(str):
    """A number literal written into the JSON body as it is (1e400, -0.0, 6.4e1)."""


@dataclass(frozen=True)
class FuzzRequest:
    route: Route
    headers: dict[str, str]
    body: bytes | None
    # The event carries the body base64-encoded (how API Gateway passes binary bodies).
    base64_encoded: bool = False
    path_id: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    # The values the request carries that an error body must never show.
    values: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        if self.route.parameter is None:
            return self.route.path
        return self.route.path.replace(f"{{{self.route.parameter}}}", self.path_id or "")


@dataclass
class Tally:
    """How many requests were sent, by status and by route."""

    statuses: Counter[int] = field(default_factory=Counter)
    routes: Counter[Route] = field(default_factory=Counter)

    def add(self, route: Route, status: int) -> None:
        self.statuses[status] += 1
        self.routes[route] += 1

    def summary(self) -> str:
        histogram = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return f"{sum(self.statuses.values())} requests ({histogram})"

    def report(self, label: str, record_property: Callable[[str, object], None]) -> None:
        """Prints the summary, and records it for the session's end (tests/conftest.py)."""
        record_property(label, self.summary())
        print(f"{label}:", self.summary())

    def met_every_route_and_a_success(self) -> bool:
        """A fuzz run that met only the gate, or only some routes, would prove little."""
        return set(self.routes) == set(ROUTES) and any(200 <= s < 300 for s in self.statuses)


# Field names of the submit routes, and what an error body may say anyway.
FIELDS = (
    "prompt",
    "negative_prompt",
    "width",
    "height",
    "seed",
    "num_images",
    "format",
    "quality",
    "style",
    "guidance",
    "cfg_scale",
)
OUR_WORDS = frozenset(
    [*FIELDS, *STYLES, *IMAGE_FORMATS, *(status.value for status in JobStatus), "parameters"]
)

_NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x00\x01\x1f",
        "a\x7fb",
        "\u200b\u200c\ufeff",
        "\t\r\n",
        "\ud800",
        "a lighthouse\x00",
        "a lighthouse\ta\r\nsea",
        "\U0001f600" * 3,
        "x" * 2001,
        "'; DROP TABLE jobs; --",
        "<script>alert(1)</script>",
        "{{7*7}}",
    ]
)
_TEXT = st.one_of(st.text(max_size=40), _NASTY_TEXT, st.text(min_size=60, max_size=120))
# Small valid sides, the edges of the range, and what lax pydantic coerces or refuses.
_SIDE = st.one_of(
    st.integers(min_value=-100, max_value=128),
    st.sampled_from(
        [
            64,
            128,
            4097,
            10**12,
            2**63,
            -(2**63),
            64.0,
            64.5,
            -0.0,
            "64",
            " 64 ",
            "64.0",
            "6.4e1",
            "9" * 30,
            "9" * 5000,
            "-0",
            "wide",
            True,
            False,
            None,
            [],
            {},
            RawNumber("1e400"),
            RawNumber("-1e400"),
            RawNumber("-0.0"),
            RawNumber("6.4e1"),
            RawNumber("64.000000000000000000001"),
            RawNumber("1e-400"),
        ]
    ),
)
_COUNT = st.sampled_from([1, 1, 1, 0, 5, -1, "1", 1.0, 1.5, True, None, "one", RawNumber("1e400")])
_SEED = st.one_of(
    st.integers(min_value=-10, max_value=2**32),
    st.sampled_from(["7", 7.0, -0.0, "9" * 30, None, RawNumber("1e400"), RawNumber("7e0")]),
)
_QUALITY = st.one_of(
    st.integers(min_value=-5, max_value=105), st.sampled_from(["90", 90.0, 90.5, None])
)
_GUIDANCE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [6.5, "6.5", 1, None, RawNumber("1e400"), RawNumber("-1e400"), RawNumber("NaN")]
    ),
)
_FORMAT = st.sampled_from([*IMAGE_FORMATS, "PNG", "gif", "", 1, None])
_STYLE = st.sampled_from([*STYLES, "cartoon", "", 0, None])
_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "negative_prompt": st.one_of(_TEXT, st.none()),
    "width": _SIDE,
    "height": _SIDE,
    "seed": _SEED,
    "num_images": _COUNT,
    "format": _FORMAT,
    "quality": _QUALITY,
    "style": _STYLE,
    "guidance": _GUIDANCE,
    "cfg_scale": _GUIDANCE,
}
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=12,
)
_UNKNOWN_KEYS = st.dictionaries(
    st.one_of(st.sampled_from(["steps", "sampler", "ignored_parameters", "prompt "]), st.text()),
    _JSON_VALUES,
    max_size=3,
)


# Valid and tiny: a third of the structured bodies are made of these only.
_VALID_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "negative_prompt": st.sampled_from(["blur", "text, watermark", "\u96e8"]),
    "width": st.sampled_from([64, 96, 128]),
    "height": st.sampled_from([64, 96, 128]),
    "seed": st.integers(min_value=0, max_value=2**31 - 2),
    "num_images": st.just(1),
    "format": st.sampled_from(IMAGE_FORMATS),
    "style": st.sampled_from(STYLES),
    "guidance": st.floats(min_value=1.1, max_value=10),
}


def _one_in(n: int) -> st.SearchStrategy[bool]:
    return st.sampled_from([False] * (n - 1) + [True])


@st.composite
def _options(draw: st.DrawFn) -> dict[str, Any]:
    strategies = _VALID_OPTIONS if draw(_one_in(3)) else _OPTIONS
    chosen = draw(st.lists(st.sampled_from(list(strategies)), unique=True, max_size=6))
    options = {name: draw(strategies[name]) for name in chosen}
    unknown = draw(_UNKNOWN_KEYS) if draw(_one_in(4)) else {}
    return {**unknown, **options}


@st.composite
def _structured_body(draw: st.DrawFn, route: Route) -> Any:
    prompt = draw(st.one_of(_TEXT, st.sampled_from(["a lighthouse", "a red apple"]), st.none()))
    if route.path == "/generate":
        body: dict[str, Any] = {"parameters": draw(st.one_of(_options(), _JSON_VALUES))}
        body |= draw(_UNKNOWN_KEYS)
    else:
        body = draw(_options())
    if prompt is not None:
        body["prompt"] = prompt
    return body


def _json_text(value: Any, ensure_ascii: bool) -> str:
    """JSON, with RawNumber values written as they are."""
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, dict):
        members = (
            f"{json.dumps(key, ensure_ascii=ensure_ascii)}: {_json_text(item, ensure_ascii)}"
            for key, item in value.items()
        )
        return "{" + ", ".join(members) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(item, ensure_ascii) for item in value) + "]"
    return json.dumps(value, ensure_ascii=ensure_ascii)


def _encoded(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8; such a string is sent \u-escaped, as JSON allows.
    return text.encode("utf-8", errors="surrogatepass")


def _strings(value: Any) -> list[str]:
    if isinstance(value, RawNumber):
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(key for item in value.values() for key in _keys(item))]
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    return []


@st.composite
def _body(draw: st.DrawFn, route: Route) -> tuple[bytes | None, tuple[str, ...]]:
    kind = draw(st.sampled_from(["structured"] * 5 + ["json", "text", "bytes", "none"]))
    if kind == "none":
        return None, ()
    if kind == "bytes":
        return draw(st.binary(max_size=200)), ()
    if kind == "text":
        return _encoded(draw(st.text(max_size=200))), ()
    document = draw(_structured_body(route) if kind == "structured" else _JSON_VALUES)
    text = _json_text(document, ensure_ascii=draw(st.booleans()))
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raw = _json_text(document, ensure_ascii=True).encode()
    # Values the caller chose, other than those that are also names (which may be shown, cut).
    names = set(_keys(document))
    values = tuple(
        text
        for text in _strings(document)
        if len(text) >= ECHOED_VALUE and text not in names and text.strip() not in OUR_WORDS
    )
    return raw, values


_ODD_CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "APPLICATION/JSON",
            "application/json; charset=utf-8",
            "application/problem+json",
            "text/plain",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def _content_type(draw: st.DrawFn, over_http: bool) -> str | None:
    # Mostly JSON, so that most bodies get past the gate to the routes.
    # (hypothesis favours the ends of a range, so a weighted choice is a list of choices)
    roll = draw(st.sampled_from(["json"] * 16 + ["none", "odd", "odd", "odd"]))
    if roll == "none":
        return None
    if roll == "json":
        return "application/json"
    odd = _ODD_CONTENT_TYPES.filter(_is_header_value) if over_http else _ODD_CONTENT_TYPES
    return draw(odd)


@st.composite
def _headers(draw: st.DrawFn, over_http: bool) -> dict[str, str]:
    # Over HTTP a header value is visible ASCII (what urllib sends); in an event, any text.
    text = HEADER_TEXT if over_http else st.text(max_size=40)
    headers: dict[str, str] = {}
    if (content_type := draw(_content_type(over_http))) is not None:
        headers["Content-Type"] = content_type
    if draw(_one_in(10)):
        headers["Content-Encoding"] = draw(
            st.sampled_from(["gzip", "identity", "br", "deflate, gzip"]) | text
        )
    if draw(_one_in(6)):
        headers["Idempotency-Key"] = draw(st.sampled_from(["key-1", "key-2", "k" * 256]) | text)
    return headers


def _is_header_value(value: str) -> bool:
    return all(0x20 <= ord(character) <= 0x7E for character in value) and value == value.strip()


_ANY_TEXT = st.text(max_size=40)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)


def _path_ids(known: tuple[str, ...], over_http: bool) -> st.SearchStrategy[str]:
    known_ids = st.sampled_from(known) if known else st.nothing()
    # Over HTTP a path id is one non-empty segment (percent-encoded); in an event, any text.
    text = (
        st.text(min_size=1, max_size=80).filter(lambda t: "/" not in t and t.strip("."))
        if over_http
        else st.text(max_size=80)
    )
    return st.one_of(
        known_ids,
        known_ids.map(str.upper),
        st.uuids().map(str),
        text,
        st.sampled_from(["00000000-0000-0000-0000-00000000000g", "null", "%00", "..%2f"]),
    )


_QUERY = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from([*(status.value for status in JobStatus), "QUEUED", "x"])
        | _ANY_TEXT,
        "limit": st.sampled_from(["1", "20", "100", "0", "101", "-1", "1.5", "9" * 30, ""])
        | _ANY_TEXT,
        "cursor": _ANY_TEXT | st.text(min_size=1000, max_size=1100),
        "extra": _ANY_TEXT,
    },
)


@st.composite
def requests(
    draw: st.DrawFn, routes: tuple[Route, ...], known_ids: tuple[str, ...], over_http: bool
) -> FuzzRequest:
    """A request to one of `routes`; `known_ids` are jobs that exist, to read and cancel."""
    # The submit routes take bodies, where most can go wrong: half of all requests.
    submits = [route for route in routes if route.method == "POST" and route.parameter is None]
    route = draw(st.sampled_from(submits if submits and draw(st.booleans()) else routes))
    headers = draw(_headers(over_http))
    body, values = draw(_body(route)) if route.method == "POST" else (None, ())
    if route.method == "GET" and draw(_one_in(10)):
        body, values = draw(_body(route))  # a GET with a body, which every route ignores
    # (an asset's name is a path id too: any text, or a known one)
    names = ("app.js", "style.css") if route.parameter == "name" else known_ids
    path_id = draw(_path_ids(names, over_http)) if route.parameter else None
    query = draw(_QUERY) if route.path == "/jobs" and route.method == "GET" else {}
    if over_http:
        query = {name: value for name, value in query.items() if _encodable(value)}
    base64_encoded = not over_http and draw(_one_in(5))
    chosen = (*values, *(v for v in query.values() if len(v) >= ECHOED_VALUE))
    if path_id is not None and len(path_id) >= ECHOED_VALUE:
        chosen = (*chosen, path_id)
    return FuzzRequest(route, headers, body, base64_encoded, path_id, query, chosen)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def event_for(request: FuzzRequest, template: dict[str, Any]) -> dict[str, Any]:
    """The route's fixture event, carrying this request instead of its own."""
    event = json.loads(json.dumps(template))
    event["path"] = request.path
    event["requestContext"]["path"] = "/v1" + request.path
    if request.route.parameter is not None:
        event["pathParameters"] = {request.route.parameter: request.path_id}
    if request.query:
        event["queryStringParameters"] = dict(request.query)
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in request.query.items()}
    elif request.route.path == "/jobs" and request.route.method == "GET":
        event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    headers = {
        name: value
        for name, value in (event.get("headers") or {}).items()
        if name.lower() not in ("content-type", "content-encoding", "idempotency-key")
    }
    headers |= request.headers
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    if request.body is None:
        event["body"] = None
        event["isBase64Encoded"] = False
    elif request.base64_encoded:
        event["body"] = base64.b64encode(request.body).decode()
        event["isBase64Encoded"] = True
    else:
        # API Gateway hands a text body on as text; undecodable bytes as the characters they are.
        event["body"] = request.body.decode("utf-8", errors="surrogateescape")
        event["isBase64Encoded"] = False
    return event


def check_answer(
    request: FuzzRequest, status: int, content_type: str | None, body: bytes
) -> str | None:
    """What is wrong with an answer to `request`, or None if nothing is."""
    if status >= 500:
        return f"{status}: {body[:300]!r}"
    if status < 300:
        return _accepted_text_problem(request) if request.route in SUBMIT_ROUTES else None
    if status < 400:
        return None  # the page's redirect (308) and not-modified (304)
    if content_type is None or content_type.split(";")[0].strip() != "application/json":
        return f"{status} with content type {content_type!r}"
    try:
        document = json.loads(body)
    except ValueError:
        return f"{status} with a body that is not JSON: {body[:200]!r}"
    if not isinstance(document, dict) or set(document) != set(ErrorResponse.model_fields):
        return f"{status} with a body that is not the error shape: {body[:200]!r}"
    ErrorResponse.model_validate_json(body)
    return _echo_problem(request, status, _error_texts(document))


def _echo_problem(request: FuzzRequest, status: int, said: list[str]) -> str | None:
    """Whether an error's texts echo ECHO_RUN characters of the body, or a request's value."""
    sent = (request.body or b"").decode("utf-8", errors="replace")
    for text in said:
        for start in range(max(0, len(text) - ECHO_RUN + 1)):
            if text[start : start + ECHO_RUN] in sent:
                return f"{status} echoes {ECHO_RUN} characters of the body: {text[:200]!r}"
        for value in request.values:
            if value in text:
                return f"{status} echoes a value of the request: {value[:80]!r}"
    return None


def _accepted_text_problem(request: FuzzRequest) -> str | None:
    """A submit was accepted: its prompt must have had visible text and no control character
    (other than tab, CR and LF), as every text field it had."""
    document = json.loads(request.body or b"{}")
    prompt = document["prompt"]
    if not any(unicodedata.category(c)[0] not in "CZ" for c in prompt):
        return f"accepted a prompt without visible text: {prompt[:40]!r}"
    for text in _declared_texts(document):
        if any(map(_is_control, text)):
            return f"accepted a text field with a control character: {text[:40]!r}"
    return None


def _declared_texts(document: dict[str, Any]) -> list[str]:
    sources = [document, document.get("parameters") or {}]
    return [
        value
        for source in sources
        if isinstance(source, dict)
        for name, value in source.items()
        if name in ("prompt", "negative_prompt") and isinstance(value, str)
    ]


def _is_control(character: str) -> bool:
    category = unicodedata.category(character)
    return category == "Cs" or (category == "Cc" and character not in "\t\r\n")


def _error_texts(document: dict[str, Any]) -> list[str]:
    texts = [str(document["error"]), str(document["message"])]
    for detail in document["detail"]:
        texts += [str(detail["field"]), str(detail["msg"]), str(detail["type"])]
        texts += [str(part) for part in detail["loc"]]
    return texts
