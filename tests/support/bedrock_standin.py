"""A local stand-in for Amazon Bedrock's InvokeModel, for tests that run the real boto3 client.

It listens on 127.0.0.1 (a port the OS picks) and serves `POST /model/{modelId}/invoke` the
way bedrock-runtime does for the image models this project uses:

- it checks the SigV4 signature first, recomputing it with botocore's own signer from the
  request as received (service `bedrock`, its region, the credentials it knows, the request's
  own X-Amz-Date and signed headers), and answers 403 like AWS when it does not match;
- it checks the model id, `Content-Type: application/json` and the JSON body against the
  model's documented shape and limits, and answers 400 ValidationException like the service;
- it answers with real pictures: base64 PNGs of the requested size, made with Pillow, the same
  for the same seed and different for another;
- a test can script faults: the service's restJson1 errors (HTTP status, `x-amzn-ErrorType`
  and `{"message": ...}`), other 200 bodies, a picture of the wrong size, or a response held
  back past the client's read timeout (released when the stand-in stops).

Every request is recorded. The limits below are written from the model documentation, not
taken from `imagejobs.engines.limits`, so that the stand-in checks the engine independently:
- Nova Canvas: https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html
  and https://docs.aws.amazon.com/nova/latest/userguide/image-gen-access.html
- Titan Image Generator v2:
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import io
import json
import random
import re
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from PIL import Image

NOVA_CANVAS = "amazon.nova-canvas-v1:0"
TITAN_IMAGE_V2 = "amazon.titan-image-generator-v2:0"
SIGNING_NAME = "bedrock"  # bedrock-runtime's SigV4 signing name (its service model's signingName)

# --------------------------------------------------------------------------- the models


@dataclass(frozen=True)
class ModelSpec:
    max_text: int
    max_seed: int
    text_params: frozenset[str]
    size_problem: Callable[[int, int], str | None]


def _nova_size(width: int, height: int) -> str | None:
    for name, side in (("width", width), ("height", height)):
        if not 320 <= side <= 4096 or side % 16:
            return f"{name}: {side} is not between 320 and 4096 and divisible by 16"
    if max(width, height) > 4 * min(width, height):
        return "the aspect ratio must be between 1:4 and 4:1"
    if width * height > 4_194_304:
        return f"{width}x{height} is more than 4194304 pixels"
    return None


_TITAN_SIZES = {
    (1024, 1024), (768, 768), (512, 512), (768, 1152), (384, 576), (1152, 768), (576, 384),
    (768, 1280), (384, 640), (1280, 768), (640, 384), (896, 1152), (448, 576), (1152, 896),
    (576, 448), (768, 1408), (384, 704), (1408, 768), (704, 384), (640, 1408), (320, 704),
    (1408, 640), (704, 320), (1152, 640), (1173, 640),
}  # fmt: skip


def _titan_size(width: int, height: int) -> str | None:
    return None if (width, height) in _TITAN_SIZES else f"{width}x{height} is not supported"


_CONDITIONING = {"conditionImage", "controlMode", "controlStrength"}
SPECS: dict[str, ModelSpec] = {
    NOVA_CANVAS: ModelSpec(
        max_text=1024,
        max_seed=858_993_459,
        text_params=frozenset({"text", "negativeText", "style", *_CONDITIONING}),
        size_problem=_nova_size,
    ),
    TITAN_IMAGE_V2: ModelSpec(
        max_text=512,
        max_seed=2_147_483_646,
        text_params=frozenset({"text", "negativeText", *_CONDITIONING}),
        size_problem=_titan_size,
    ),
}
_CONFIG_KEYS = {"numberOfImages", "width", "height", "cfgScale", "seed", "quality"}


class InvalidBody(Exception):
    """What the service's input validation would say about a body."""


def validate_body(spec: ModelSpec, body: Any) -> None:
    """Raises `InvalidBody` for a TEXT_IMAGE body the model would refuse."""
    if not isinstance(body, dict):
        raise _invalid("", "expected type: JSONObject")
    _no_extraneous("", body, {"taskType", "textToImageParams", "imageGenerationConfig"})
    if body.get("taskType") != "TEXT_IMAGE":
        raise _invalid("taskType", "this stand-in serves TEXT_IMAGE only")
    _check_text_params(spec, body.get("textToImageParams"))
    _check_config(spec, body.get("imageGenerationConfig", {}))


def _check_text_params(spec: ModelSpec, params: Any) -> None:
    if not isinstance(params, dict):
        raise _invalid("textToImageParams", "required key [textToImageParams] not found")
    _no_extraneous("textToImageParams", params, spec.text_params)
    if "text" not in params:
        raise _invalid("textToImageParams", "required key [text] not found")
    _text(spec, "textToImageParams/text", params["text"])
    if "negativeText" in params:
        _text(spec, "textToImageParams/negativeText", params["negativeText"])


def _check_config(spec: ModelSpec, config: Any) -> None:
    if not isinstance(config, dict):
        raise _invalid("imageGenerationConfig", "expected type: JSONObject")
    _no_extraneous("imageGenerationConfig", config, _CONFIG_KEYS)
    if "numberOfImages" in config:
        _integer("imageGenerationConfig/numberOfImages", config["numberOfImages"], 1, 5)
    if "seed" in config:
        _integer("imageGenerationConfig/seed", config["seed"], 0, spec.max_seed)
    if "cfgScale" in config:
        cfg = config["cfgScale"]
        if type(cfg) not in (int, float) or not 1.1 <= cfg <= 10.0:
            raise _invalid("imageGenerationConfig/cfgScale", f"{cfg} is not between 1.1 and 10.0")
    if config.get("quality", "standard") not in ("standard", "premium"):
        raise _invalid(
            "imageGenerationConfig/quality", f"{config['quality']} is not a valid enum value"
        )
    width = _integer("imageGenerationConfig/width", config.get("width", 1024), 1, 100_000)
    height = _integer("imageGenerationConfig/height", config.get("height", 1024), 1, 100_000)
    if (problem := spec.size_problem(width, height)) is not None:
        raise _invalid("imageGenerationConfig", problem)


def _invalid(path: str, problem: str) -> InvalidBody:
    return InvalidBody(
        f"Malformed input request: #/{path}: {problem}, please reformat your input and try again."
    )


def _no_extraneous(path: str, value: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    for key in value:
        if key not in allowed:
            raise _invalid(path, f"extraneous key [{key}] is not permitted")


def _integer(path: str, value: Any, low: int, high: int) -> int:
    if type(value) is not int:
        raise _invalid(path, f"expected type: Integer, found: {type(value).__name__}")
    if not low <= value <= high:
        raise _invalid(path, f"{value} is not between {low} and {high}")
    return value


def _text(spec: ModelSpec, path: str, value: Any) -> None:
    if not isinstance(value, str):
        raise _invalid(path, "expected type: String")
    if not 1 <= len(value) <= spec.max_text:
        raise _invalid(path, f"expected length between 1 and {spec.max_text}, was {len(value)}")


# --------------------------------------------------------------------------- the pictures


@lru_cache(maxsize=64)
def model_image(seed: int, width: int, height: int) -> bytes:
    """The PNG the stand-in "generates" for a seed: a seed-coloured picture with fine texture
    (so lossy encoders have detail to spend their quality on)."""
    rng = random.Random(seed)  # noqa: S311 - test pictures, not secrets
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    texture = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    image = Image.blend(Image.new("RGB", (width, height), colour), texture, 0.2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# --------------------------------------------------------------------------- faults


@dataclass(frozen=True)
class ServiceError:
    """An error as bedrock-runtime sends it (restJson1): status, x-amzn-ErrorType, message."""

    status: int
    code: str
    message: str


def _validation(message: str) -> ServiceError:
    return ServiceError(400, "ValidationException", message)


# Statuses and codes are the service model's (botocore bedrock-runtime 2023-09-30); the
# messages are representative, except the content filters' ones, which Nova's error handling
# page documents word for word.

THROTTLING = ServiceError(
    429, "ThrottlingException", "Too many requests, please wait before trying again."
)
SERVICE_UNAVAILABLE = ServiceError(
    503, "ServiceUnavailableException", "Bedrock is unable to process your request."
)
MODEL_TIMEOUT = ServiceError(
    408,
    "ModelTimeoutException",
    "Model has timed out in processing the request. Try your request again.",
)
INTERNAL_SERVER = ServiceError(
    500,
    "InternalServerException",
    "The system encountered an unexpected error during processing. Try your request again.",
)
MODEL_NOT_READY = ServiceError(
    429, "ModelNotReadyException", "Model is not ready to serve inference requests."
)
MODEL_ERROR = ServiceError(424, "ModelErrorException", "The model failed to process the request.")
SERVICE_QUOTA_EXCEEDED = ServiceError(
    400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account."
)
CONTENT_FILTERED = ServiceError(
    400,
    "ValidationException",
    "This request has been blocked by our content filters."
    " Please adjust your text prompt to submit a new request.",
)
ACCESS_DENIED = ServiceError(
    403, "AccessDeniedException", "You don't have access to the model with the specified model ID."
)
RESOURCE_NOT_FOUND = ServiceError(404, "ResourceNotFoundException", "Model not found.")
# What the authentication layer answers.
MISSING_TOKEN = ServiceError(
    403, "MissingAuthenticationTokenException", "Missing Authentication Token"
)
UNRECOGNIZED_CLIENT = ServiceError(
    403, "UnrecognizedClientException", "The security token included in the request is invalid."
)
INVALID_SIGNATURE = ServiceError(
    403,
    "InvalidSignatureException",
    "The request signature we calculated does not match the signature you provided. Check your"
    " AWS Secret Access Key and signing method. Consult the service documentation for details.",
)


@dataclass(frozen=True)
class Reply:
    """A 200 with this body instead of the picture (a JSON document, or raw bytes)."""

    body: dict[str, Any] | bytes


# Nova Canvas's answer when the generated image itself is blocked (RAI output deflection).
OUTPUT_BLOCKED = Reply(
    {"images": [], "error": "All of the generated images have been blocked by our content filters."}
)


@dataclass(frozen=True)
class WrongSize:
    """A picture of this size instead of the requested one."""

    width: int
    height: int


@dataclass(frozen=True)
class Hold:
    """No answer until the stand-in stops: longer than any client read timeout in a test."""


Fault = ServiceError | Reply | WrongSize | Hold
HOLD = Hold()


@dataclass
class _Script:
    fault: Fault
    remaining: int | None  # None: every matching request
    seed: int | None  # None: whatever the seed


# --------------------------------------------------------------------------- recording


@dataclass
class Call:
    """One request as the stand-in received it, and what it answered."""

    method: str
    raw_path: str
    headers: dict[str, str]  # lower-cased names
    raw_body: bytes
    model_id: str | None = None
    body: Any = None  # the parsed JSON body, if it parsed
    signature_valid: bool = False
    status: int = 0
    error_code: str | None = None
    images: list[bytes] = field(default_factory=list)  # the PNGs it sent

    @property
    def seed(self) -> int | None:
        config = self.body.get("imageGenerationConfig", {}) if isinstance(self.body, dict) else {}
        seed = config.get("seed")
        return seed if isinstance(seed, int) else None


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or closed an idle keep-alive connection is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


_PATH = re.compile(r"/model/(?P<model>[^/]+)/invoke")
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/,]+)/(?P<date>\d{8})/(?P<region>[^/,]+)"
    r"/(?P<service>[^/,]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+),"
    r" Signature=(?P<signature>[0-9a-f]{64})"
)
SIGNATURE_MAX_AGE = timedelta(minutes=15)  # AWS's window for a signed request


class BedrockStandIn:
    """Start with `with BedrockStandIn(...) as standin:`; `standin.url` is its endpoint."""

    def __init__(self, *, region: str, credentials: dict[str, str]) -> None:
        self.region = region
        self.credentials = dict(credentials)  # access key id -> secret key
        self.calls: list[Call] = []
        self.peak_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._scripts: list[_Script] = []
        self._release = threading.Event()
        self._barrier: threading.Barrier | None = None
        self._connections: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> BedrockStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._release.set()  # held responses go out (to clients long gone)
        if self._barrier is not None:
            self._barrier.abort()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for connection in self._connections:  # idle keep-alive connections
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    # ---- scripting

    def fail(self, fault: Fault, *, times: int | None = None, seed: int | None = None) -> None:
        """Answer the next `times` requests (every one if None) for `seed` (any if None) so."""
        with self._lock:
            self._scripts.append(_Script(fault, times, seed))

    def require_concurrency(self, parties: int, timeout: float = 5.0) -> None:
        """Hold each request until `parties` are in flight together; if they never are, every
        waiting request gets a 500, so a client that calls one at a time fails."""
        self._barrier = threading.Barrier(parties, timeout=timeout)

    def images_for(self, seeds: list[int], width: int, height: int) -> list[bytes]:
        return [model_image(seed, width, height) for seed in seeds]

    # ---- serving

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore's pool expects

            def setup(self) -> None:
                super().setup()
                with standin._lock:
                    standin._connections.add(self.connection)

            def do_POST(self) -> None:
                standin._serve(self)

            def do_GET(self) -> None:
                standin._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        call = Call(
            method=handler.command,
            raw_path=handler.path,
            headers={name.lower(): value for name, value in handler.headers.items()},
            raw_body=handler.rfile.read(length),
        )
        with self._lock:
            self.calls.append(call)
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            self._answer(handler, call)
        except ConnectionError:
            pass  # the client gave up (a read timeout): nobody to answer
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer(self, handler: BaseHTTPRequestHandler, call: Call) -> None:
        refusal = self._refusal(call)
        if refusal is not None:
            self._send_error(handler, call, refusal)
            return
        fault = self._next_fault(call.seed)
        if fault is not None and not isinstance(fault, WrongSize):
            self._send_fault(handler, call, fault)
            return
        if self._barrier is not None:
            try:
                self._barrier.wait()
            except threading.BrokenBarrierError:
                self._send_error(handler, call, INTERNAL_SERVER)
                return
        config = call.body.get("imageGenerationConfig", {})
        width, height = config.get("width", 1024), config.get("height", 1024)
        if isinstance(fault, WrongSize):
            width, height = fault.width, fault.height
        seed = config.get("seed", 42)
        call.images = [
            model_image(seed + n, width, height) for n in range(config.get("numberOfImages", 1))
        ]
        document = {
            "images": [base64.b64encode(png).decode() for png in call.images],
            "error": None,
        }
        self._send(handler, call, 200, json.dumps(document).encode(), {})

    def _refusal(self, call: Call) -> ServiceError | None:
        """The error the service refuses `call` with, checked in its order; None to serve it."""
        match = _PATH.fullmatch(call.raw_path)
        if call.method != "POST" or match is None:
            return ServiceError(404, "UnknownOperationException", "")
        if (rejection := self._check_signature(call)) is not None:
            return rejection
        call.signature_valid = True
        call.model_id = unquote(match["model"])
        spec = SPECS.get(call.model_id)
        if spec is None:
            return _validation("The provided model identifier is invalid.")
        if call.headers.get("content-type") != "application/json":
            return _validation("The provided Content-Type is not supported.")
        if call.headers.get("accept", "application/json") not in ("application/json", "*/*"):
            return _validation("The provided Accept type is not supported.")
        try:
            call.body = json.loads(call.raw_body)
            validate_body(spec, call.body)
        except ValueError:
            return _validation("Malformed input request.")
        except InvalidBody as invalid:
            return _validation(str(invalid))
        return None

    def _send_fault(
        self, handler: BaseHTTPRequestHandler, call: Call, fault: ServiceError | Hold | Reply
    ) -> None:
        """Answers with the scripted fault instead of pictures."""
        if isinstance(fault, ServiceError):
            self._send_error(handler, call, fault)
        elif isinstance(fault, Hold):
            self._release.wait(timeout=60)
            self._send_error(handler, call, SERVICE_UNAVAILABLE)
        else:
            document = fault.body
            payload = document if isinstance(document, bytes) else json.dumps(document).encode()
            self._send(handler, call, 200, payload, {})

    def _next_fault(self, seed: int | None) -> Fault | None:
        with self._lock:
            for script in self._scripts:
                if script.seed is not None and script.seed != seed:
                    continue
                if script.remaining is not None:
                    if script.remaining == 0:
                        continue
                    script.remaining -= 1
                return script.fault
        return None

    def _check_signature(self, call: Call) -> ServiceError | None:
        """None if the request is signed as AWS requires, else AWS's answer to it."""
        authorization = call.headers.get("authorization")
        if authorization is None:
            return MISSING_TOKEN
        match = _AUTHORIZATION.fullmatch(authorization)
        if match is None:
            return ServiceError(
                403,
                "IncompleteSignatureException",
                "Authorization header requires a valid credential, signed headers and signature.",
            )
        secret = self.credentials.get(match["key"])
        if secret is None:
            return UNRECOGNIZED_CLIENT
        amz_date = call.headers.get("x-amz-date", "")
        try:
            signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return ServiceError(
                403, "IncompleteSignatureException", "X-Amz-Date is missing or malformed."
            )
        scope = (match["date"], match["region"], match["service"])
        if scope != (amz_date[:8], self.region, SIGNING_NAME):
            return ServiceError(
                403,
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region and service: expected"
                f" {amz_date[:8]}/{self.region}/{SIGNING_NAME}, got {'/'.join(scope)}.",
            )
        if abs(datetime.now(UTC) - signed_at) > SIGNATURE_MAX_AGE:
            return ServiceError(403, "InvalidSignatureException", "Signature expired.")
        signed_names = match["signed"].split(";")
        if not {"host", "x-amz-date"} <= set(signed_names) or any(
            name not in call.headers for name in signed_names
        ):
            return INVALID_SIGNATURE
        # Rebuild the request from what arrived, with only the headers it says it signed.
        request = AWSRequest(
            method=call.method,
            url=f"http://{call.headers['host']}{call.raw_path}",
            headers={name: call.headers[name] for name in signed_names},
            data=call.raw_body,
        )
        request.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(match["key"], secret), SIGNING_NAME, self.region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if signer.signed_headers(signer.headers_to_sign(request)) != match["signed"]:
            return INVALID_SIGNATURE
        if not hmac.compare_digest(expected, match["signature"]):
            return INVALID_SIGNATURE
        return None

    def _send_error(self, handler: BaseHTTPRequestHandler, call: Call, error: ServiceError) -> None:
        call.error_code = error.code
        headers = {
            # As AWS sends it; botocore keeps what comes before the colon.
            "x-amzn-ErrorType": f"{error.code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
        }
        self._send(
            handler, call, error.status, json.dumps({"message": error.message}).encode(), headers
        )

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        call: Call,
        status: int,
        payload: bytes,
        headers: dict[str, str],
    ) -> None:
        call.status = status
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
