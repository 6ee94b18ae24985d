"""The presigned POST that `POST /uploads` answers (dal.image_store.presigned_post): what its
policy says, and that its signature binds that policy.

LocalStack's S3 enforces the policy's conditions and expiry (tests/e2e/test_images_in.py) but
does not verify the signature, so a client that rewrote the policy (another key prefix, a
larger size, another type) would get past it there. On AWS, S3 checks the signature: it is
SigV4's HMAC of the base64 policy under a key only the signer has
(https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html). This
checks that property here, by computing that signature as S3 does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config

from imagejobs.dal.image_store import S3ImageStore
from imagejobs.logic.uploads import UPLOAD_URL_SECONDS

SECRET = "a-secret-only-the-signer-has"  # a test's own credentials
KEY = "uploads/tenant-a/up_" + "0" * 32
MAX_BYTES = 2048


@pytest.fixture
def signed() -> dict[str, str]:
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        config=Config(signature_version="s3v4"),
    )
    _, fields = S3ImageStore("images", client).presigned_post(
        KEY, max_bytes=MAX_BYTES, expires_in=UPLOAD_URL_SECONDS
    )
    return fields


def s3_signature(policy: str, credential: str) -> str:
    """What S3 computes for a POST's policy: HMAC-SHA256 of the base64 policy with the key
    derived from the secret, the date, the Region and the service."""
    _, day, region, service, _ = credential.split("/")
    key = f"AWS4{SECRET}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    return json.loads(base64.b64decode(fields["policy"]))  # type: ignore[no-any-return]


def test_the_policy_fixes_the_key_bounds_the_size_wants_an_image_and_expires(
    signed: dict[str, str],
) -> None:
    policy = policy_of(signed)
    conditions = policy["conditions"]
    assert {"bucket": "images"} in conditions
    assert {"key": KEY} in conditions  # exactly this key: no other prefix, no ${filename}
    assert ["content-length-range", 1, MAX_BYTES] in conditions
    assert ["starts-with", "$Content-Type", "image/"] in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(seconds=UPLOAD_URL_SECONDS)
    assert signed["key"] == KEY


def bent(policy: dict[str, Any], old: Any, new: Any) -> str:
    conditions = [new if condition == old else condition for condition in policy["conditions"]]
    assert conditions != policy["conditions"]
    return base64.b64encode(json.dumps({**policy, "conditions": conditions}).encode()).decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"key": KEY}, ["starts-with", "$key", "uploads/"]),
        ({"key": KEY}, {"key": "uploads/tenant-b/up_" + "1" * 32}),
        (["content-length-range", 1, MAX_BYTES], ["content-length-range", 1, 10**9]),
        (["starts-with", "$Content-Type", "image/"], ["starts-with", "$Content-Type", ""]),
    ],
    ids=["any key", "another tenant's key", "a larger size", "any type"],
)
def test_the_signature_binds_the_policy_so_a_bent_one_is_refused(
    signed: dict[str, str], old: Any, new: Any
) -> None:
    # Given the signed policy, whose signature is S3's computation over it
    credential = signed["x-amz-credential"]
    assert s3_signature(signed["policy"], credential) == signed["x-amz-signature"]

    # When a client rewrites one condition, then the signature S3 would compute for the new
    # policy is not the one the form carries: S3 answers SignatureDoesNotMatch
    rewritten = bent(policy_of(signed), old, new)
    assert s3_signature(rewritten, credential) != signed["x-amz-signature"]
