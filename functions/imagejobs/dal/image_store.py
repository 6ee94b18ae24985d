"""Images in S3: the ones jobs take in and the ones they make. The bucket is private: readers
get presigned GET URLs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def s3_client() -> S3Client:
    # SigV4 for presigned URLs: boto3 would otherwise sign with the older SigV2 in
    # us-east-1, which AWS no longer accepts for new buckets or KMS-encrypted objects.
    return boto3.client("s3", config=Config(signature_version="s3v4"))


class S3ImageStore:
    def __init__(self, bucket_name: str, client: S3Client | None = None) -> None:
        """Without a client, one is made on first use: a function that only sometimes needs
        S3 does not pay for a client at every cold start."""
        self._bucket = bucket_name
        self._made = client

    @property
    def _client(self) -> S3Client:
        if self._made is None:
            self._made = s3_client()
        return self._made

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return response["Body"].read()

    def delete(self, keys: Sequence[str]) -> None:
        # At most four keys per job: one call each keeps the IAM action to s3:DeleteObject.
        for key in keys:
            self._client.delete_object(Bucket=self._bucket, Key=key)

    def url_for(self, key: str, expires_in: int) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
        )

    def presigned_post(
        self, key: str, *, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        """A presigned POST (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
        the policy S3 checks fixes the key, bounds the size and wants an image type."""
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Conditions=[
                ["content-length-range", 1, max_bytes],
                ["starts-with", "$Content-Type", "image/"],
            ],
            ExpiresIn=expires_in,
        )
        return post["url"], {name: str(value) for name, value in post["fields"].items()}

    def url_origin(self) -> str:
        """The scheme, host and port every `url_for` URL has: presigning is local signing, so
        this makes no request and needs no permission."""
        return _origin(self.url_for("images/origin-probe", 60))

    def post_origin(self) -> str:
        """The scheme, host and port every `presigned_post` URL has (local signing, too)."""
        return _origin(self.presigned_post("uploads/origin-probe", max_bytes=1, expires_in=60)[0])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
