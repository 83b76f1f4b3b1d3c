"""Uploads of personal data never touch the disk in clear: chunks are sealed with a key that lives only in
memory for the request, and read back through a decrypting stream (issue 4, storage and keys)."""

from __future__ import annotations

import io
import os
import struct
import tempfile
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, raw_data, None)
        self._handle.write(_LENGTH.pack(len(sealed)) + sealed)
        self._size += len(raw_data)

    def file_complete(self, file_size: int) -> SealedUploadedFile:
        self._handle.seek(0)
        return SealedUploadedFile(self._handle, self._key, self.file_name, self.content_type, self._size,
                                  self.charset)
