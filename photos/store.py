"""Where photo files live, behind one small interface.

Keys are relative paths such as ``ab/cdef….jpg``. Writes go to a temporary
name and are moved into place, so a crash never leaves half a file under a
key the database refers to. A full disk (or quota) raises ``StorageFull``,
which the app answers with a clear 507/503 (api/errors.py) after rolling the
request's transaction back.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Protocol

_FULL = (errno.ENOSPC, errno.EDQUOT)


class StorageFull(OSError):
    """The photo store has no room left: nothing was stored under the key."""


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...


class LocalStore:
    """Photos in a folder on this machine (default ``$PANTAU_DATA_DIR/photos``)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"photo key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            self._write(path, data)
        except OSError as exc:
            if exc.errno in _FULL:
                raise StorageFull(exc.errno, f"photo storage is full ({exc.strerror})", str(self.root)) from exc
            raise

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def get_store() -> PhotoStore:
    """The configured store."""
    from settings import get_settings

    settings = get_settings()
    if settings.photo_store.startswith("s3://"):
        from photos.s3 import S3Store  # type: ignore[import-not-found]

        return S3Store.from_url(settings.photo_store)  # type: ignore[no-any-return]
    return LocalStore(settings.photos_dir)
