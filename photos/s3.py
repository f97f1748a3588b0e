"""Photos in any S3-compatible object store (AWS S3, MinIO, Garage, Ceph, moto…).

Configured with ``PANTAU_PHOTO_STORE=s3://bucket/prefix`` and the usual AWS
variables: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION`` (or
``AWS_DEFAULT_REGION``) and, for a store that is not AWS, ``AWS_ENDPOINT_URL_S3``
or ``AWS_ENDPOINT_URL``. A PUT is atomic in S3, so a reader never sees half a
photo; keys are checked as strictly as the local folder's.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


class S3Store:
    """Photos under ``prefix`` in ``bucket``."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None):
        if not bucket:
            raise ValueError("an S3 photo store needs a bucket: s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client(
            "s3",
            endpoint_url=_endpoint(),
            region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            config=Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=30),
        )

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        """``s3://bucket/prefix`` → a store; the prefix may be empty."""
        parsed = urlparse(url)
        if parsed.scheme != "s3":
            raise ValueError(f"not an s3:// URL: {url!r}")
        return cls(parsed.netloc, parsed.path)

    def _key(self, key: str) -> str:
        # The same rule as LocalStore: a key is a plain relative path that stays inside the prefix.
        normal = posixpath.normpath(key) if key else ""
        if not key or key.startswith("/") or "\\" in key or "\x00" in key or normal != key or normal.startswith(".."):
            raise ValueError(f"photo key escapes the store: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        content_type = "image/jpeg" if key.endswith(".jpg") else "application/octet-stream"
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(f"no photo {key!r} in s3://{self.bucket}/{self.prefix}") from exc
            raise
        return bytes(response["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True
