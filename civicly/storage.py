"""Where uploaded files live: a directory under the instance folder (one host), or an S3-compatible bucket that
several hosts share. Bytes in, bytes out, under random names that never come from what a user sent.

The interface is kept generic (content type, no knowledge of photos or cases) so other files, model artifacts for
instance, can use it too. ``init_app`` binds the configured backend; ``current_storage()`` returns it.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

EXTENSION_KEY = "civicly.storage"
NAME_FORMAT = re.compile(r"^[A-Za-z0-9_-]{32}$")
TYPE_SUFFIX = ".type"  # the local backend keeps each object's content type beside it


class StorageError(RuntimeError):
    """The backend could not store, read or delete an object."""


class NotStored(StorageError):
    """No object has this name (deleted, never stored, or not a name this module makes)."""


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str


class Storage(Protocol):
    """put/get/delete by a random name; every backend behaves the same for the callers."""

    def put(self, data: bytes, content_type: str) -> str: ...

    def get(self, name: str) -> StoredObject: ...

    def delete(self, name: str) -> None: ...


def new_name() -> str:
    """24 random bytes as 32 URL-safe characters: unguessable, and safe as a file name or an object key."""
    return secrets.token_urlsafe(24)


def _checked(name: str) -> str:
    if not NAME_FORMAT.match(name or ""):
        raise NotStored(name)
    return name


class LocalStorage:
    """Files in a directory, spread over 256 sub-directories by the name's first two characters."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        name = _checked(name)
        return self.root / name[:2] / name

    def put(self, data: bytes, content_type: str) -> str:
        name = new_name()
        path = self._path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".partial")
            temporary.write_bytes(data)
            path.with_name(name + TYPE_SUFFIX).write_text(content_type)
            temporary.replace(path)  # a reader never sees half a file
        except OSError as error:  # a full disk, a missing mount, wrong permissions
            raise StorageError(f"could not store an object under {self.root}") from error
        return name

    def get(self, name: str) -> StoredObject:
        path = self._path(name)
        try:
            return StoredObject(path.read_bytes(), path.with_name(name + TYPE_SUFFIX).read_text())
        except FileNotFoundError:
            raise NotStored(name) from None
        except OSError as error:
            raise StorageError(f"could not read an object under {self.root}") from error

    def delete(self, name: str) -> None:
        path = self._path(name)
        try:
            path.unlink(missing_ok=True)
            path.with_name(name + TYPE_SUFFIX).unlink(missing_ok=True)
        except OSError as error:
            raise StorageError(f"could not delete an object under {self.root}") from error


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, Garage …) under ``prefix``."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, prefix: str = ""):
        import boto3  # only deployments that choose S3 load it

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                   aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None)

    def _key(self, name: str) -> str:
        return self.prefix + _checked(name)

    def put(self, data: bytes, content_type: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        name = new_name()
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"could not store an object in bucket {self.bucket}") from error
        return name

    def get(self, name: str) -> StoredObject:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
            return StoredObject(found["Body"].read(), found.get("ContentType") or "application/octet-stream")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotStored(name) from None
            raise StorageError(f"could not read an object of bucket {self.bucket}") from error
        except BotoCoreError as error:
            raise StorageError(f"could not read an object of bucket {self.bucket}") from error

    def delete(self, name: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"could not delete an object of bucket {self.bucket}") from error


def from_settings(config: dict[str, Any] | Any) -> Storage:
    """The backend the settings name (config.py: CIVICLY_STORAGE and its companions)."""
    if config["STORAGE"] == "s3":
        return S3Storage(config["S3_BUCKET"], endpoint_url=config["S3_ENDPOINT_URL"], region=config["S3_REGION"],
                         access_key=config["S3_ACCESS_KEY_ID"], secret_key=config["S3_SECRET_ACCESS_KEY"],
                         prefix=config["S3_PREFIX"])
    return LocalStorage(config["STORAGE_DIR"])


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = from_settings(app.config)


def current_storage() -> Storage:
    return current_app.extensions[EXTENSION_KEY]
