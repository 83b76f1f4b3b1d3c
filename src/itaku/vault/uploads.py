"""Uploads of personal data never touch the disk in clear: chunks are sealed with a key that lives only in
memory for the request, and read back through a decrypting stream (issue 4, storage and keys).

While an import reads the upload, `CountingReader` reports how far it has got to a `Progress` file the page
polls: byte counts only, never a value of the file."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

_LENGTH = struct.Struct(">I")
_NONCE = 12


class _SealedReader(io.RawIOBase):
    """A readable stream over sealed chunks; a tampered chunk fails the read, it never yields garbage."""

    def __init__(self, handle: Any, key: bytes) -> None:
        self._handle, self._aead, self._buffer = handle, AESGCM(key), b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("only a rewind to the start is supported")
        self._handle.seek(0)
        self._buffer = b""
        return 0

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            header = self._handle.read(_LENGTH.size)
            if not header:
                return 0
            (length,) = _LENGTH.unpack(header)
            sealed = self._handle.read(length)
            self._buffer = self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


class SealedUploadedFile(UploadedFile):
    """The uploaded file as Django hands it to the view: read it as a binary stream, rewind with seek(0)."""

    def __init__(self, handle: Any, key: bytes, name: str, content_type: str, size: int, charset: str | None):
        self._raw = handle
        super().__init__(io.BufferedReader(_SealedReader(handle, key)), name, content_type, size, charset)

    def close(self) -> None:
        super().close()
        self._raw.close()


class SealedUploadHandler(FileUploadHandler):
    """Django upload handler: each chunk AES-GCM sealed into an anonymous temporary file."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._key = AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(self._key)
        self._handle = tempfile.TemporaryFile()  # noqa: SIM115  (owned by the SealedUploadedFile)
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        # Past the import's limit the bytes are only counted: the import refuses the file by its size and
        # never reads it, so nothing more needs to be kept.
        if self._size + len(raw_data) <= settings.VAULT_IMPORT_MAX_BYTES:
            nonce = os.urandom(_NONCE)
            sealed = nonce + self._aead.encrypt(nonce, raw_data, None)
            self._handle.write(_LENGTH.pack(len(sealed)) + sealed)
        self._size += len(raw_data)

    def file_complete(self, file_size: int) -> SealedUploadedFile:
        self._handle.seek(0)
        return SealedUploadedFile(self._handle, self._key, self.file_name, self.content_type, self._size,
                                  self.charset)


# Progress of an import ---------------------------------------------------------------------------------------

TOKEN = re.compile(r"[0-9a-f]{32}")
_STALE_SECONDS = 24 * 3600  # a file a crashed import left behind


def progress_path(user_id: int, token: str) -> Path | None:
    """var/progress/<user id>-<token>.json; None for a token that is not 32 hex digits (no path tricks)."""
    if not TOKEN.fullmatch(token):
        return None
    return Path(settings.VAR_DIR) / "progress" / f"{int(user_id)}-{token}.json"


def read_progress(user_id: int, token: str) -> dict[str, int] | None:
    """The progress a user's own import wrote under this token, or None (unknown, finished, or someone else's)."""
    path = progress_path(user_id, token)
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


class Progress:
    """How many bytes of the file the import has consumed, for the page to poll: a small JSON file replaced
    atomically (written beside it, then renamed), at most every `interval` seconds, removed when done."""

    def __init__(self, user_id: int, token: str, *, dataset: int, total: int, interval: float = 0.25) -> None:
        path = progress_path(user_id, token)
        if path is None:
            raise ValueError("the progress token must be 32 hex digits")
        self.path, self.dataset, self.total, self.interval = path, dataset, total, interval
        self._last = float("-inf")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep()
        self.update(0, force=True)

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"dataset": self.dataset, "done": min(done, self.total), "total": self.total}, out)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _sweep(self) -> None:
        """Remove what imports that never finished (a killed worker) left behind a day ago or more."""
        limit = time.time() - _STALE_SECONDS
        for old in self.path.parent.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if old.stat().st_mtime < limit:
                    old.unlink()


class CountingReader(io.BufferedIOBase):
    """The uploaded file as the import reads it (read, read1, readinto, readline, seek, tell), telling
    `progress` the position reached: the bytes consumed since the last rewind."""

    def __init__(self, stream: Any, progress: Progress) -> None:
        super().__init__()
        self._stream, self._progress, self._position = stream, progress, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = self._stream.seek(offset, whence)
        self._progress.update(self._position, force=True)
        return self._position

    def _advance(self, count: int) -> None:
        self._position += count
        self._progress.update(self._position)

    def read(self, size: int | None = -1) -> bytes:
        data = self._stream.read(-1 if size is None else size)
        self._advance(len(data))
        return data

    def read1(self, size: int = -1) -> bytes:
        data = getattr(self._stream, "read1", self._stream.read)(size)
        self._advance(len(data))
        return data

    def readinto(self, target: Any) -> int:
        count = self._stream.readinto(target) or 0
        self._advance(count)
        return count

    def readinto1(self, target: Any) -> int:
        count = getattr(self._stream, "readinto1", self._stream.readinto)(target) or 0
        self._advance(count)
        return count

    def readline(self, size: int | None = -1) -> bytes:
        line = self._stream.readline(-1 if size is None else size)
        self._advance(len(line))
        return line
