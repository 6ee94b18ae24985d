"""SigV4, checked as AWS checks it: the signature is recomputed with botocore's own signer from
the request as it arrived (its method, raw path, the headers it says it signed, its body and its
X-Amz-Date) and compared with the one sent. Both bedrock-runtime and the bedrock control plane
sign with the name `bedrock` (signingName in both service models), so one check serves both.

Credentials: the access keys the stand-in knows, with their secrets. `any_key` also admits a key
it does not know (LocalStack's Lambda runtime hands functions credentials of its own): such a
request still needs a well-formed header, the right scope and a fresh date, but its HMAC cannot
be checked.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from imagejobs_dev.bedrock_standin.errors import ServiceError

SIGNING_NAME = "bedrock"
MAX_AGE = timedelta(minutes=15)  # AWS's window for a signed request
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/,]+)/(?P<date>\d{8})/(?P<region>[^/,]+)"
    r"/(?P<service>[^/,]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+),"
    r" Signature=(?P<signature>[0-9a-f]{64})"
)
MISSING_TOKEN = ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token")
UNRECOGNIZED_CLIENT = ServiceError(
    "UnrecognizedClientException", "The security token included in the request is invalid."
)
INVALID_SIGNATURE = ServiceError(
    "InvalidSignatureException",
    "The request signature we calculated does not match the signature you provided. Check your"
    " AWS Secret Access Key and signing method. Consult the service documentation for details.",
)


def _incomplete(message: str) -> ServiceError:
    return ServiceError("IncompleteSignatureException", message)


@dataclass(frozen=True)
class Verifier:
    region: str
    credentials: Mapping[str, str]  # access key id -> secret access key
    any_key: bool = False

    def check(
        self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes
    ) -> ServiceError | None:
        """None if the request is signed as AWS requires, else AWS's answer (all 403)."""
        authorization = headers.get("authorization")
        if authorization is None:
            return MISSING_TOKEN
        match = _AUTHORIZATION.fullmatch(authorization)
        if match is None:
            return _incomplete(
                "Authorization header requires a valid credential, signed headers and signature."
            )
        secret = self.credentials.get(match["key"])
        if secret is None and not self.any_key:
            return UNRECOGNIZED_CLIENT
        problem = self._scope_problem(match, headers)
        if problem is not None or secret is None:
            return problem  # with any_key, no secret to recompute the signature with
        request = AWSRequest(
            method=method,
            url=f"http://{headers['host']}{raw_path}",
            headers={name: headers[name] for name in match["signed"].split(";")},
            data=body,
        )
        request.context["timestamp"] = headers["x-amz-date"]
        return self._signature_problem(match, secret, request)

    def _scope_problem(
        self, match: re.Match[str], headers: Mapping[str, str]
    ) -> ServiceError | None:
        """The date, the credential's scope and the signed headers, as AWS checks them."""
        amz_date = headers.get("x-amz-date", "")
        try:
            signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return _incomplete("X-Amz-Date is missing or malformed.")
        scope = (match["date"], match["region"], match["service"])
        if scope != (amz_date[:8], self.region, SIGNING_NAME):
            return ServiceError(
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region and service: expected"
                f" {amz_date[:8]}/{self.region}/{SIGNING_NAME}, got {'/'.join(scope)}.",
            )
        if abs(datetime.now(UTC) - signed_at) > MAX_AGE:
            return ServiceError("InvalidSignatureException", "Signature expired.")
        signed_names = match["signed"].split(";")
        if not {"host", "x-amz-date"} <= set(signed_names) or any(
            name not in headers for name in signed_names
        ):
            return INVALID_SIGNATURE
        return None

    def _signature_problem(
        self, match: re.Match[str], secret: str, request: AWSRequest
    ) -> ServiceError | None:
        """The signature recomputed with botocore's signer against the one sent."""
        signer = SigV4Auth(Credentials(match["key"], secret), SIGNING_NAME, self.region)
        expected = signer.signature(
            signer.string_to_sign(request, signer.canonical_request(request)), request
        )
        if signer.signed_headers(signer.headers_to_sign(request)) != match["signed"]:
            return INVALID_SIGNATURE
        if not hmac.compare_digest(expected, match["signature"]):
            return INVALID_SIGNATURE
        return None
