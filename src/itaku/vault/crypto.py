"""The vault's encryption layer: envelope encryption of field values and blind indexes for exact search.

Framework-free on purpose (no Django here): the import, the views and the disposal code all call the same
few functions, and the layer can be reviewed and tested on its own. It fails closed: every failure to
unwrap or decrypt raises `DecryptionError`; nothing hands back the ciphertext, an empty string or None in
place of a value. Error messages never hold plaintext, ciphertext bytes or keys.

Keys (article 11; disposal by crypto erase, article 13)
    master key (per installation, versioned)
      ├─ wraps the data key of each dataset          random 256 bits, AES-256-GCM over field values
      └─ wraps the blind-index key of each dataset   random 256 bits, HMAC-SHA256 over normalised values
                                                     (and, derived from it, the match-tag key)
    Neither dataset key is derived from the master key or from anything that outlives the dataset, so
    destroying every copy of a dataset's two wrapped keys (the database row and the backups that hold
    it) leaves its ciphertexts and indexes unreadable even to the holder of the master key: NIST SP 800-88
    Rev. 2 purge by cryptographic erase (keys ≥ 128 bits; here 256). Backups keep wrapped keys alive, so
    after a disposal the master key is rotated and its old version destroyed once the last backup made
    before the disposal has expired.
    A master key comes from a secret string (settings.VAULT_MASTER_KEY, `secrets.token_urlsafe(32)`)
    through HKDF-SHA256 with info "itaku vault master key v<version>". A key list is one bare secret
    (version 1) or entries "version:secret", separated by newlines, spaces or commas, `#` starting a
    comment; the highest version wraps, every listed version unwraps. `MasterKeyProvider` is the seam for
    an HSM or KMS later. Rotation re-wraps the two 65-byte dataset keys (`rewrap`); records are untouched.

Formats (all integers big-endian)
    field ciphertext  01 | nonce (12) | AES-256-GCM ciphertext | tag (16)             29 bytes + UTF-8 length
        associated data: 01 | dataset (u64) | record (u64) | field (u64) | version (u64)
        so a ciphertext moved to another record, field or dataset, or replayed under another value version,
        does not authenticate. `version` is the revision of the value (or of the field's declaration): the
        model stores it beside the ciphertext and bumps it on each change.
    record ciphertext 03 | nonce (12) | AES-256-GCM(values) | tag (16)                   (`seal_record`)
        values: their count (u32), the length of each in characters (u32 each), then the UTF-8 of all of
        them in a row (format 2, still read, held a JSON array: twice as slow to write as the encryption).
        associated data: 03 | dataset (u64) | record (u64) | schema version (u64). One AES-GCM call and
        29 bytes per record instead of per field, and only the record's total length shows; the price is
        that reading one field decrypts them all.
    wrapped key       01 | master-key version (u32) | nonce (12) | AES-256-GCM(key) (32) | tag (16)   65 bytes
        associated data: the 5-byte header | "itaku vault data key" or "itaku vault blind-index key",
        so a data key cannot be unwrapped as an index key or the other way round.
    The leading format byte is checked first; an unknown one is an error that names it, never a guess.
    Ciphertext length reveals the UTF-8 length of the value (no padding in formats 1 and 2). Record and
    value ids go into the associated data, so they must be known before the row is written.

Text
    Stored values are what was entered, in NFC (`normalise_for_storage`, applied by every encryption),
    never NFKC: ① ㈱ ｶﾅ survive. NFC would also replace the CJK compatibility ideographs (神 U+FA19 →
    神 U+795E, 塚 U+FA10, 晴 U+FA12 ..., the IBM extension kanji of CP932 that exist for people's names), so
    those are kept as entered. `""` is a value (an empty optional field) and round-trips; an empty
    *ciphertext* is an error. Blind indexes see `normalise_for_index`: NFKC (width: ｻﾄｳ = サトウ, ﾀﾞ = ダ,
    ＡＢＣ = ABC, ① = 1), case folded (Sato = SATO), whitespace, invisible format characters and variation
    selectors removed (佐藤　太郎 = 佐藤 太郎 = 佐藤太郎), then NFKC again so that a stand-alone voiced mark
    joins its kana (タ゛ = ダ). Hiragana and katakana stay distinct, as do 髙/高 and 﨑/崎. A value that
    normalises to "" has no index (`BlindIndex.of` returns None; store NULL: the ciphertext length shows
    emptiness anyway).

Blind indexes
    HMAC-SHA256(index key, field id (u64) | UTF-8 of the normalised value), truncated to its first `bits`
    bits, so equal values in two fields do not match. Truncated on purpose, as CipherSweet sizes them: with
    R rows and the bits of every blind index on a row added up to B, a value has C = R / 2**B expected
    candidates; `index_bits` picks the largest bits with C ≥ 2 (an index never singles out exact
    duplicates), which also gives C < √R wherever that is possible. False positives are the design, not a bug.
    Changing `bits` means recomputing the dataset's indexes.

Match tags
    Each index entry also holds its records' tags (sealing.postings), each: AES-256 (one block, a pseudorandom
    permutation) under HKDF-SHA256(index key, info "itaku vault match tag key") of probe (8) | record id (u64),
    first 64 bits signed; the probe is bytes 8–16 of the value's HMAC above, which the index (at most 32 bits)
    does not use. Inputs never repeat (one value per record and field), so tags look random: they reveal neither
    the value nor which records share it, and they die with the index key. A search computes the query's tag for
    every candidate in one AES call (`BlindIndex.tags`), decrypts only the records whose tag matches, and
    compares the decrypted value by `normalise_for_index` once more, so a chance match (2**-64) shows nothing.

Performance (design note, no timing here: benchmarks live under bench/)
    One AESGCM object per data key (key schedule once); a 96-bit random nonce per value from os.urandom,
    one call per record in `encrypt_fields`; one AES-GCM call per record in `seal_record`; the associated
    data packed by one precompiled Struct; the HMAC key pads hashed once per index key, so that an index
    costs two SHA-256 copies. The objects can be shared between threads (only the encryption count may
    then undercount a little).
    Random nonces allow 2**32 encryptions per key (NIST SP 800-38D §8.3). `FieldCipher` counts its own
    encryptions and refuses beyond that; keys are per dataset, and a dataset of 10**6 rows × 10 fields
    uses 10**7, far below. A dataset that could approach 2**32 writes in its life needs a new data key.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import re
import struct
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FIELD_FORMAT = 1
RECORD_FORMAT = 3
_JSON_RECORD_FORMAT = 2  # read, no longer written
WRAP_FORMAT = 1
MAX_ENCRYPTIONS_PER_KEY = 2**32
MIN_INDEX_BITS, MAX_INDEX_BITS = 1, 32
MIN_SECRET_CHARS = 32

KeyPurpose = Literal["data", "index"]

_FIELD_HEADER = bytes([FIELD_FORMAT])
_FIELD_AAD = struct.Struct(">B4Q")  # format, dataset, record, field, version
_FIELD_MIN = len(_FIELD_HEADER) + NONCE_BYTES + TAG_BYTES
_NONCE_END = len(_FIELD_HEADER) + NONCE_BYTES
_RECORD_HEADER = bytes([RECORD_FORMAT])
_RECORD_AAD = struct.Struct(">B3Q")  # format, dataset, record, version
_U32_BE = struct.Struct(">I")
_WRAP_HEADER = struct.Struct(">BI")  # format, master-key version
_WRAP_NONCE_END = _WRAP_HEADER.size + NONCE_BYTES
_WRAP_BYTES = _WRAP_NONCE_END + KEY_BYTES + TAG_BYTES
_MAX_MASTER_VERSION = 2**32 - 1
_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")
_PURPOSE_LABELS: dict[str, bytes] = {"data": b"itaku vault data key", "index": b"itaku vault blind-index key"}
_PURPOSE_JA = {"data": "データ鍵", "index": "索引鍵"}
_TAG_KEY_INFO = b"itaku vault match tag key"
_PROBE_BYTES = 8
_PROBE = slice(8, 8 + _PROBE_BYTES)  # of the HMAC: the index takes at most its first 4 bytes
_TAG_INPUT = struct.Struct(">8sQ")  # probe, record
_TAG_OUTPUT = struct.Struct(">q8x")  # a match tag: the first 64 bits of the AES block, signed (a BIGINT)
_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))
_SHA256_BLOCK = 64
_IDS_RANGE = "dataset, record, field and version must be integers from 0 to 2**64-1"
# Whitespace (U+3000 included), soft hyphen, zero-width and bidi controls, word joiners, BOM, variation selectors.
_INVISIBLE = re.compile(
    "[\\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]+"
)
_VARIATION_SELECTOR = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# CJK compatibility ideographs, which NFC would replace by their unified twins (神 U+FA19 → 神 U+795E).
_CJK_COMPATIBILITY = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")
_SECRET_FORBIDDEN = re.compile(r"[\s,:#]")
_ENTRY_SEPARATORS = re.compile(r"[\s,]+")
_normalize = unicodedata.normalize
_is_normalized = unicodedata.is_normalized
_urandom = os.urandom
_load = json.JSONDecoder().decode


class CryptoError(Exception):
    """The vault cannot encrypt, decrypt or load a key; in Japanese and English, never with data or keys."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en

    def __reduce__(self) -> tuple[type[CryptoError], tuple[str, str]]:
        # Picklable with both messages, so an import running in worker processes reports it intact.
        return type(self), (self.message_ja, self.message_en)


class DecryptionError(CryptoError):
    """A ciphertext or wrapped key does not open: tampered, truncated, wrong key or context, unknown version."""


class MasterKeyError(CryptoError):
    """The master key list cannot be read or is unfit (missing, too short, malformed, duplicate version)."""


class MasterKeyProvider(Protocol):
    """Wraps and unwraps dataset keys; the local key list today, an HSM or KMS later.

    A wrapped key records the master-key version that wrapped it; `purpose` is bound into the wrapping
    (like a KMS encryption context) and must be given again to unwrap.
    """

    def current_version(self) -> int:
        """The master-key version that `wrap` uses."""
        ...

    def version_of(self, wrapped: bytes) -> int:
        """The master-key version that wrapped `wrapped` (DecryptionError if it is not a wrapped key)."""
        ...

    def wrap(self, key: bytes, *, purpose: KeyPurpose) -> bytes:
        """Encrypt a 32-byte dataset key under the current master key."""
        ...

    def unwrap(self, wrapped: bytes, *, purpose: KeyPurpose) -> bytes:
        """Return the 32-byte key, or raise DecryptionError."""
        ...


class LocalMasterKeys:
    """Versioned master keys held in memory: {version: 32-byte key}; the highest version wraps."""

    __slots__ = ("_aeads",)

    def __init__(self, keys: Mapping[int, bytes]) -> None:
        if not keys:
            raise MasterKeyError("マスター鍵がありません", "no master key was given")
        aeads: dict[int, AESGCM] = {}
        for version, key in keys.items():
            _check_master_version(version)
            if type(key) is not bytes or len(key) != KEY_BYTES:
                raise MasterKeyError(
                    f"マスター鍵（版 {version}）は 32 バイトでなければなりません",
                    f"master key version {version} must be 32 bytes",
                )
            aeads[version] = AESGCM(key)
        self._aeads = aeads

    @classmethod
    def from_secret(cls, secret: str, version: int = 1) -> LocalMasterKeys:
        """One master key derived from the installation's secret string (settings.VAULT_MASTER_KEY)."""
        _check_master_version(version)
        return cls({version: _derive_master_key(secret, version, "the secret")})

    @classmethod
    def parse(cls, text: str, *, source: str = "the master key list") -> LocalMasterKeys:
        """Read a key list: one bare secret (version 1), or "version:secret" entries (see the module notes)."""
        entries: list[tuple[int, str]] = []
        for line_number, line in enumerate(text.splitlines(), start=1):
            for item in _ENTRY_SEPARATORS.split(line.split("#", 1)[0].strip()):
                if item:
                    entries.append((line_number, item))
        if not entries:
            raise MasterKeyError(f"{source}: マスター鍵がありません", f"{source}: no master key")
        if len(entries) == 1 and ":" not in entries[0][1]:
            return cls({1: _derive_master_key(entries[0][1], 1, f"{source}, line {entries[0][0]}")})
        keys: dict[int, bytes] = {}
        for line_number, item in entries:
            where = f"{source}, line {line_number}"
            version_text, colon, secret = item.partition(":")
            if not colon or not version_text.isascii() or not version_text.isdigit():
                raise MasterKeyError(
                    f"{where}: 複数の鍵は「版:秘密」の形で書いてください",
                    f"{where}: each entry of a key list must read version:secret",
                )
            version = int(version_text)
            _check_master_version(version, where)
            if version in keys:
                raise MasterKeyError(f"{where}: 版 {version} が重複しています", f"{where}: version {version} twice")
            keys[version] = _derive_master_key(secret, version, where)
        return cls(keys)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> LocalMasterKeys:
        """Read a key list from a file (mode 0600, as settings creates it)."""
        # Raised outside the handler: a UnicodeDecodeError would carry the file's bytes, that is the secrets.
        reason = None
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            reason = error.strerror or type(error).__name__
        except UnicodeDecodeError:
            reason = "not UTF-8 text"
        if reason is not None:
            raise MasterKeyError(
                f"{path}: マスター鍵ファイルを読めません（{reason}）",
                f"{path}: cannot read the master key file ({reason})",
            )
        return cls.parse(text, source=str(path))

    @classmethod
    def from_env(cls, name: str) -> LocalMasterKeys:
        """Read a key list from an environment variable."""
        text = os.environ.get(name, "")
        if not text.strip():
            raise MasterKeyError(f"環境変数 {name} が設定されていません", f"the environment variable {name} is not set")
        return cls.parse(text, source=f"${name}")

    def versions(self) -> tuple[int, ...]:
        """Every version this provider can unwrap, oldest first."""
        return tuple(sorted(self._aeads))

    def current_version(self) -> int:
        return max(self._aeads)

    def version_of(self, wrapped: bytes) -> int:
        return _wrap_header(_as_bytes(wrapped, "wrapped key"))[1]

    def wrap(self, key: bytes, *, purpose: KeyPurpose) -> bytes:
        label = _purpose_label(purpose)
        _check_key(key, "dataset key")
        version = self.current_version()
        header = _WRAP_HEADER.pack(WRAP_FORMAT, version)
        nonce = _urandom(NONCE_BYTES)
        return header + nonce + self._aeads[version].encrypt(nonce, key, header + label)

    def unwrap(self, wrapped: bytes, *, purpose: KeyPurpose) -> bytes:
        label = _purpose_label(purpose)
        blob = _as_bytes(wrapped, "wrapped key")
        header, version = _wrap_header(blob)
        aead = self._aeads.get(version)
        if aead is None:
            held = ", ".join(str(held) for held in self.versions())
            raise DecryptionError(
                f"鍵を包んだマスター鍵（版 {version}）がありません（保有: {held}）",
                f"the key was wrapped by master key version {version}, which is not held here (held: {held})",
            )
        key = None
        with contextlib.suppress(InvalidTag):  # raised below, unchained
            key = aead.decrypt(blob[_WRAP_HEADER.size : _WRAP_NONCE_END], blob[_WRAP_NONCE_END:], header + label)
        if key is None or len(key) != KEY_BYTES:
            raise DecryptionError(
                f"{_PURPOSE_JA[purpose]}を開けません（改ざん、別の鍵、または用途の違い。マスター鍵 版 {version}）",
                f"the {purpose} key does not unwrap: tampered with, another master key of the same version, "
                f"or a key of the other purpose (master key version {version})",
            )
        return key

    def __repr__(self) -> str:
        return f"LocalMasterKeys(versions={list(self.versions())})"


@dataclass(frozen=True, repr=False)
class WrappedKeys:
    """A dataset's data key and blind-index key, each wrapped by the master key: what the database stores.

    Destroying every copy of both is the dataset's cryptographic erasure. Accepts the memoryview that
    PostgreSQL returns for bytea and keeps bytes.
    """

    data_key: bytes
    index_key: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_key", _as_bytes(self.data_key, "wrapped data key"))
        object.__setattr__(self, "index_key", _as_bytes(self.index_key, "wrapped index key"))

    def __repr__(self) -> str:
        return f"WrappedKeys(data_key=<{len(self.data_key)} bytes>, index_key=<{len(self.index_key)} bytes>)"


def new_dataset_keys(master: MasterKeyProvider) -> WrappedKeys:
    """Two fresh random 256-bit keys for a new dataset, wrapped under the current master key."""
    return WrappedKeys(
        data_key=master.wrap(_urandom(KEY_BYTES), purpose="data"),
        index_key=master.wrap(_urandom(KEY_BYTES), purpose="index"),
    )


def rewrap(keys: WrappedKeys, old: MasterKeyProvider, new: MasterKeyProvider) -> WrappedKeys:
    """Master-key rotation: unwrap with `old`, wrap with `new`; the records' ciphertexts stay as they are.

    `old` and `new` may be one provider holding both versions. Once every dataset's keys are re-wrapped,
    the old version can leave the key list.
    """
    return WrappedKeys(
        data_key=new.wrap(old.unwrap(keys.data_key, purpose="data"), purpose="data"),
        index_key=new.wrap(old.unwrap(keys.index_key, purpose="index"), purpose="index"),
    )


def unwrap_dataset(keys: WrappedKeys, master: MasterKeyProvider) -> tuple[bytes, bytes]:
    """A dataset's data key and blind-index key, unwrapped (for an import's sealing workers)."""
    return master.unwrap(keys.data_key, purpose="data"), master.unwrap(keys.index_key, purpose="index")


def open_dataset(keys: WrappedKeys, master: MasterKeyProvider, *, index_bits: int) -> tuple[FieldCipher, BlindIndex]:
    """Unwrap a dataset's keys into its field cipher and blind index."""
    data_key, index_key = unwrap_dataset(keys, master)
    return FieldCipher(data_key), BlindIndex(index_key, bits=index_bits)


class FieldCipher:
    """AES-256-GCM over the values of one dataset (per field or per record), built once per data key."""

    __slots__ = ("_aead", "_encryptions")

    def __init__(self, data_key: bytes) -> None:
        _check_key(data_key, "data key")
        self._aead = AESGCM(data_key)
        self._encryptions = 0

    @property
    def encryptions(self) -> int:
        """Encryptions made with this object (random nonces allow MAX_ENCRYPTIONS_PER_KEY per key)."""
        return self._encryptions

    def encrypt(self, plaintext: str, *, dataset: int, record: int, field: int, version: int = 1) -> bytes:
        """Encrypt one value (NFC, see `normalise_for_storage`) bound to its dataset, record, field, version."""
        # The hot path of an import: checks inline, helpers only when something is off.
        if type(plaintext) is not str or not _is_normalized("NFC", plaintext):
            plaintext = _storage_text(plaintext)
        try:
            data = plaintext.encode()
            aad = _FIELD_AAD.pack(FIELD_FORMAT, dataset, record, field, version)
        except (UnicodeEncodeError, struct.error):
            data = aad = b""
        if not aad:
            _refuse(plaintext)
        count = self._encryptions + 1
        if count > MAX_ENCRYPTIONS_PER_KEY:
            _refuse_count()
        self._encryptions = count
        nonce = _urandom(NONCE_BYTES)
        return _FIELD_HEADER + nonce + self._aead.encrypt(nonce, data, aad)

    def decrypt(self, blob: bytes, *, dataset: int, record: int, field: int, version: int = 1) -> str:
        """Decrypt one value, or raise DecryptionError; never returns the ciphertext or a stand-in."""
        if type(blob) is not bytes:
            blob = _as_bytes(blob, "ciphertext")
        if len(blob) < _FIELD_MIN or blob[0] != FIELD_FORMAT:
            _check_blob(blob, FIELD_FORMAT, "a field value")
        try:
            aad = _FIELD_AAD.pack(FIELD_FORMAT, dataset, record, field, version)
        except struct.error:
            raise ValueError(_IDS_RANGE) from None
        try:
            return self._aead.decrypt(blob[1:_NONCE_END], blob[_NONCE_END:], aad).decode()
        except (InvalidTag, UnicodeDecodeError):
            pass  # raised below, not chained to an error that could hold the decrypted bytes
        raise DecryptionError(
            f"暗号文を復号できません（改ざん、別の鍵、または別のレコード・項目・データセット・版のもの。"
            f"データセット {dataset}、レコード {record}、項目 {field}、版 {version}）",
            f"the ciphertext does not decrypt: tampered with, another data key, or taken from another record, "
            f"field, dataset or version (dataset {dataset}, record {record}, field {field}, version {version})",
        )

    def encrypt_fields(
        self,
        values: Sequence[str],
        *,
        dataset: int,
        record: int,
        fields: Sequence[int],
        version: int | Sequence[int] = 1,
    ) -> list[bytes]:
        """Encrypt the values of one record, `values[i]` as field `fields[i]`: one os.urandom call for all."""
        n = len(values)
        versions = _versions(version, n)
        if len(fields) != n:
            raise ValueError(f"{n} values for {len(fields)} fields")
        count = self._encryptions + n
        if count > MAX_ENCRYPTIONS_PER_KEY:
            _refuse_count()
        self._encryptions = count
        nonces = _urandom(NONCE_BYTES * n)
        encrypt, header, pack, out = self._aead.encrypt, _FIELD_HEADER, _FIELD_AAD.pack, []
        start = 0
        for value, field, value_version in zip(values, fields, versions, strict=True):
            if type(value) is not str or not _is_normalized("NFC", value):
                value = _storage_text(value)
            try:
                data = value.encode()
                aad = pack(FIELD_FORMAT, dataset, record, field, value_version)
            except (UnicodeEncodeError, struct.error):
                data = aad = b""
            if not aad:
                _refuse(value)
            nonce = nonces[start : start + NONCE_BYTES]
            start += NONCE_BYTES
            out.append(header + nonce + encrypt(nonce, data, aad))
        return out

    def decrypt_fields(
        self,
        blobs: Sequence[bytes],
        *,
        dataset: int,
        record: int,
        fields: Sequence[int],
        version: int | Sequence[int] = 1,
    ) -> list[str]:
        """Decrypt the values of one record; the first failure raises and nothing is returned."""
        versions = _versions(version, len(blobs))
        if len(fields) != len(blobs):
            raise ValueError(f"{len(blobs)} ciphertexts for {len(fields)} fields")
        return [
            self.decrypt(blob, dataset=dataset, record=record, field=field, version=value_version)
            for blob, field, value_version in zip(blobs, fields, versions, strict=True)
        ]

    def seal_record(self, values: Sequence[str], *, dataset: int, record: int, version: int = 1) -> bytes:
        """Encrypt all the values of one record as one ciphertext (format 3), bound to dataset, record, version.

        Cheaper than one ciphertext per field (one AES-GCM call and 29 bytes per record) and the length
        shows only the record's total; `version` is then the record's schema version.
        """
        return self.seal_records([values], dataset=dataset, records=[record], version=version)[0]

    def seal_records(
        self, rows: Sequence[Sequence[str]], *, dataset: int, records: Sequence[int], version: int = 1
    ) -> list[bytes]:
        """`seal_record` for many records, `rows[i]` as record `records[i]`: one os.urandom call for all.

        An import seals thousands at a time: a system call per nonce would let go of the GIL each time, and
        the import's writer thread then holds it for milliseconds.
        """
        n = len(rows)
        if len(records) != n:
            raise ValueError(f"{n} records for {len(records)} ids")
        count = self._encryptions + n
        if count > MAX_ENCRYPTIONS_PER_KEY:
            _refuse_count()
        nonces = _urandom(NONCE_BYTES * n)
        encrypt, pack, header, out = self._aead.encrypt, _RECORD_AAD.pack, _RECORD_HEADER, []
        start = 0
        for values, record in zip(rows, records, strict=True):
            if type(values) not in (list, tuple):
                raise TypeError(f"the values of a record must be a list or tuple of str, not {type(values).__name__}")
            try:
                joined = "".join(values)
                normal = _is_normalized("NFC", joined)  # pieces of an NFC text are NFC: one test for all values
            except TypeError:
                normal = False
            texts = values if normal else [_storage_text(value) for value in values]
            try:
                data = _record_plaintext(texts, joined if normal else "".join(texts))
                aad = pack(RECORD_FORMAT, dataset, record, version)
            except (UnicodeEncodeError, struct.error):
                data = aad = b""
            if not aad:
                for text in texts:
                    _utf8(text)
                raise ValueError(_IDS_RANGE)
            nonce = nonces[start : start + NONCE_BYTES]
            start += NONCE_BYTES
            out.append(header + nonce + encrypt(nonce, data, aad))
        self._encryptions = count
        return out

    def open_record(self, blob: bytes, *, dataset: int, record: int, version: int = 1) -> list[str]:
        """The values of one record sealed by `seal_record` (format 3, or format 2's JSON), or DecryptionError."""
        if type(blob) is not bytes:
            blob = _as_bytes(blob, "ciphertext")
        if len(blob) < _FIELD_MIN or blob[0] not in (RECORD_FORMAT, _JSON_RECORD_FORMAT):
            _check_blob(blob, RECORD_FORMAT, "a record")
        try:
            aad = _RECORD_AAD.pack(blob[0], dataset, record, version)
        except struct.error:
            raise ValueError(_IDS_RANGE) from None
        try:
            data = self._aead.decrypt(blob[1:_NONCE_END], blob[_NONCE_END:], aad)
            if blob[0] == RECORD_FORMAT:
                values = _record_values(data)
            else:
                values = _load(data.decode())
                if type(values) is not list or not all(type(value) is str for value in values):
                    values = None
        except (InvalidTag, UnicodeDecodeError, ValueError, struct.error):
            values = None  # raised below, not chained to an error that could hold the decrypted bytes
        if values is not None:
            return values
        raise DecryptionError(
            f"暗号文を復号できません（改ざん、別の鍵、または別のレコード・データセット・版のもの。"
            f"データセット {dataset}、レコード {record}、版 {version}）",
            f"the record ciphertext does not decrypt: tampered with, another data key, or taken from another "
            f"record, dataset or schema version (dataset {dataset}, record {record}, version {version})",
        )


class BlindIndex:
    """Keyed, truncated HMAC-SHA256 of normalised values, per dataset key and per field, for exact search;
    with the match tags that tell a search's true candidates without decrypting the others."""

    __slots__ = ("_inner", "_outer", "_shift", "_tag_cipher", "bits")

    def __init__(self, index_key: bytes, *, bits: int) -> None:
        _check_key(index_key, "index key")
        if type(bits) is not int or not MIN_INDEX_BITS <= bits <= MAX_INDEX_BITS:
            raise ValueError(f"bits must be an integer from {MIN_INDEX_BITS} to {MAX_INDEX_BITS}")
        # HMAC (RFC 2104) with the key pads hashed once: each index then costs two SHA-256 copies.
        block = index_key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(block.translate(_IPAD))
        self._outer = hashlib.sha256(block.translate(_OPAD))
        self._shift = 32 - bits
        tag_key = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_TAG_KEY_INFO).derive(index_key)
        # One AES block per (probe, record): a pseudorandom permutation of inputs that never repeat, not the
        # encryption of a message, so ECB's weakness (equal blocks, equal output) cannot arise.
        self._tag_cipher = Cipher(algorithms.AES(tag_key), modes.ECB())  # noqa: S305
        self.bits = bits

    def of(self, value: str, *, field: int) -> int | None:
        """The index of `value` in `field`, in [0, 2**bits); None when nothing is left after normalising."""
        found = self.keyed(value, field=field)
        return None if found is None else found[0]

    def keyed(self, value: str, *, field: int) -> tuple[int, bytes] | None:
        """The index of `value` in `field` and its probe (what `tags` binds to each record), or None."""
        return self.keyed_field(field)(value)

    def keyed_field(self, field: int) -> Callable[[str], tuple[int, bytes] | None]:
        """`keyed` for one field, its id hashed in once: an import indexes a field's million values."""
        try:
            field_id = _U64.pack(field)
        except struct.error:
            raise ValueError("field must be an integer from 0 to 2**64-1") from None
        keyed = self._inner.copy()
        keyed.update(field_id)
        outer_key, shift, unpack = self._outer, self._shift, _U32.unpack_from

        def index(value: str) -> tuple[int, bytes] | None:
            text = normalise_for_index(value)
            if not text:
                return None
            inner = keyed.copy()
            inner.update(_utf8(text))
            outer = outer_key.copy()
            outer.update(inner.digest())
            digest = outer.digest()
            return unpack(digest)[0] >> shift, digest[_PROBE]

        return index

    def keyed_column(self, field: int, *, remember: int) -> Callable[[Sequence[str]], list[tuple[int, bytes] | None]]:
        """`keyed_field` over a column of values (an import's batch), remembering the results for up to
        `remember` values as long as the function lives: a value that recurs in a file (a common surname's
        reading, a common name) is normalised and hashed once, and the values seen before are looked up in
        one C loop."""
        index, seen = self.keyed_field(field), {}
        unseen = object()

        def column(values: Sequence[str]) -> list[tuple[int, bytes] | None]:
            found = list(map(seen.get, values, itertools.repeat(unseen)))
            for at in [at for at, each in enumerate(found) if each is unseen]:
                value = values[at]
                each = seen.get(value, unseen)
                if each is unseen:
                    each = index(value)
                    if len(seen) < remember:
                        seen[value] = each
                found[at] = each
            return found

        return column

    def tags(self, probes: Sequence[bytes], records: Sequence[int]) -> list[int]:
        """The match tag of each (probe, record): AES-256 under a key derived from the index key, over the
        probe (8 bytes of the value's HMAC that the index does not use) and the record id, first 64 bits as a
        signed integer. Each record's value has its own tag, so tags reveal neither values nor equality;
        with the key, a search tells which candidates hold the query (one AES call for all of them)."""
        if len(probes) != len(records):
            raise ValueError(f"{len(probes)} probes for {len(records)} records")
        if sum(map(len, probes)) != _PROBE_BYTES * len(probes):  # struct would pad or cut a probe of another length
            raise ValueError("a probe is 8 bytes")
        try:
            blocks = b"".join(map(_TAG_INPUT.pack, probes, records))
        except struct.error:
            raise ValueError("a probe is 8 bytes and a record an integer from 0 to 2**64-1") from None
        encryptor = self._tag_cipher.encryptor()
        return [tag for (tag,) in _TAG_OUTPUT.iter_unpack(encryptor.update(blocks) + encryptor.finalize())]

    def __repr__(self) -> str:
        return f"BlindIndex(bits={self.bits})"


def normalise_for_storage(value: str) -> str:
    """The form a value is stored and printed in: NFC, keeping CJK compatibility ideographs as entered."""
    if _is_normalized("NFC", value):
        return value
    parts = _CJK_COMPATIBILITY.split(value)  # odd items are runs of compatibility ideographs
    return "".join(part if i % 2 else _normalize("NFC", part) for i, part in enumerate(parts))


def normalise_for_index(value: str) -> str:
    """The form a blind index sees: NFKC, case folded, without whitespace and invisible characters."""
    if "\u3000" in value:  # the ideographic space, frequent in names: removed anyway, spares NFKC the slow path
        value = value.replace("\u3000", " ")
    text = _normalize("NFKC", value)
    folded = text.casefold()
    if folded != text:
        text = _normalize("NFKC", folded)
    stripped = text
    if " " in stripped:
        stripped = "".join(stripped.split())
    # Fast test for the rest: tabs, newlines and invisible format characters are not printable; variation
    # selectors are printable and looked for on their own.
    if not stripped.isprintable() or _VARIATION_SELECTOR.search(stripped):
        stripped = _INVISIBLE.sub("", stripped)
    if stripped is text:
        return text
    # Once spaces are gone a stand-alone voiced mark joins its kana: サ゛ (NFKC: サ + space + U+3099) = ザ.
    return _normalize("NFKC", stripped)


def same_for_search(stored: str, query: str) -> bool:
    """Whether a decrypted candidate matches a search, by the same rule as the blind index."""
    return normalise_for_index(stored) == normalise_for_index(query)


def index_bits(expected_rows: int, *, indexes: int = 1) -> int:
    """Bits for each of `indexes` blind indexes on a dataset of `expected_rows` rows, sized as CipherSweet.

    With B = bits × indexes, C = R / 2**B is the expected number of rows per index value (and per
    combination of index values of one row). The result is the largest bits in [1, 32] with C ≥ 2, so no
    index, alone or combined with the others, singles out exact duplicates; that choice also satisfies
    C < √R whenever any choice does (always from R = 8 with one index, from R = 32 with two). Smaller
    datasets get the largest bits with C ≥ 2, and below 2**(indexes + 1) rows 1 bit, where C < 2 cannot
    be avoided. A search decrypts about R / 2**bits candidates: R = 10**6 with two indexes gives 9 bits,
    so ~2,000 candidates for a search on one field, ~4 for both.
    """
    if type(expected_rows) is not int or expected_rows < 1:
        raise ValueError("expected_rows must be a positive integer")
    if type(indexes) is not int or indexes < 1:
        raise ValueError("indexes must be a positive integer")
    for bits in range(MAX_INDEX_BITS, MIN_INDEX_BITS, -1):
        if expected_rows >= 2 ** (bits * indexes + 1):
            return bits
    return MIN_INDEX_BITS


def _check_key(key: bytes, what: str) -> None:
    if type(key) is not bytes or len(key) != KEY_BYTES:
        raise CryptoError(f"鍵（{what}）は 32 バイトでなければなりません", f"the {what} must be 32 bytes")


def _check_master_version(version: int, where: str = "the master key") -> None:
    if type(version) is not int or not 1 <= version <= _MAX_MASTER_VERSION:
        raise MasterKeyError(
            f"{where}: 版は 1 から {_MAX_MASTER_VERSION} までの整数です",
            f"{where}: a version is an integer from 1 to {_MAX_MASTER_VERSION}",
        )


def _derive_master_key(secret: str, version: int, where: str) -> bytes:
    if type(secret) is not str or len(secret) < MIN_SECRET_CHARS or _SECRET_FORBIDDEN.search(secret):
        raise MasterKeyError(
            f"{where}: 秘密は空白・カンマ・コロン・# を含まない {MIN_SECRET_CHARS} 文字以上の文字列です"
            "（secrets.token_urlsafe(32) で作成）",
            f"{where}: a secret is at least {MIN_SECRET_CHARS} characters without whitespace, comma, colon or #"
            " (make one with secrets.token_urlsafe(32))",
        )
    info = b"itaku vault master key v%d" % version
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret.encode("utf-8"))


def _purpose_label(purpose: str) -> bytes:
    label = _PURPOSE_LABELS.get(purpose)
    if label is None:
        raise ValueError("purpose must be 'data' or 'index'")
    return label


def _as_bytes(blob: object, what: str) -> bytes:
    if type(blob) is bytes:
        return blob
    if isinstance(blob, bytearray | memoryview):
        return bytes(blob)
    raise DecryptionError(
        f"{what}がバイト列ではありません（{type(blob).__name__}）", f"the {what} is not bytes but {type(blob).__name__}"
    )


def _wrap_header(blob: bytes) -> tuple[bytes, int]:
    if not blob:
        raise DecryptionError("包まれた鍵が空です", "the wrapped key is empty")
    if blob[0] != WRAP_FORMAT:
        raise DecryptionError(
            f"未知の鍵形式です（形式 {blob[0]}、対応は {WRAP_FORMAT}）",
            f"unknown wrapped-key format {blob[0]} (this installation reads format {WRAP_FORMAT})",
        )
    if len(blob) != _WRAP_BYTES:
        raise DecryptionError(
            f"包まれた鍵の長さが違います（{len(blob)} バイト、{_WRAP_BYTES} バイトのはず）",
            f"the wrapped key is {len(blob)} bytes long, not {_WRAP_BYTES}: truncated or damaged",
        )
    return blob[: _WRAP_HEADER.size], _WRAP_HEADER.unpack_from(blob)[1]


def _check_blob(blob: bytes, expected: int, kind: str) -> None:
    """Raise the error for a ciphertext that is empty, of another format, or too short to be one."""
    if not blob:
        raise DecryptionError("暗号文が空です（値としては扱いません）", "the ciphertext is empty; it is not a value")
    if blob[0] != expected:
        known = {FIELD_FORMAT: "a field value", _JSON_RECORD_FORMAT: "a record", RECORD_FORMAT: "a record"}.get(blob[0])
        found = f"format {blob[0]}, {known}" if known else f"unknown ciphertext format {blob[0]}"
        raise DecryptionError(
            f"暗号文の形式が違います（{found}。ここで読むのは形式 {expected}）",
            f"the ciphertext is not {kind} ({found}; format {expected} expected here)",
        )
    if len(blob) < _FIELD_MIN:
        raise DecryptionError(
            f"暗号文が短すぎます（{len(blob)} バイト、最低 {_FIELD_MIN} バイト）",
            f"the ciphertext is truncated ({len(blob)} bytes, at least {_FIELD_MIN})",
        )


def _refuse(text: str) -> NoReturn:
    """Raise the precise error for a value, or else the ids, that the fast path could not take."""
    _utf8(text)
    raise ValueError(_IDS_RANGE)


def _refuse_count() -> NoReturn:
    raise CryptoError(
        "このデータ鍵の暗号化回数が上限（2^32）に達しました。新しいデータ鍵が必要です",
        "this data key has reached 2**32 encryptions (the limit for random nonces); a new data key is needed",
    )


def _record_plaintext(values: Sequence[str], joined: str) -> bytes:
    """Format 3's plaintext: the count (u32), each value's length in characters (u32), all values' UTF-8."""
    return _lengths(len(values)).pack(len(values), *map(len, values)) + joined.encode()


@functools.cache
def _lengths(n: int) -> struct.Struct:
    """The count and the n lengths at the head of format 3's plaintext (a dataset has one n)."""
    return struct.Struct(f">{n + 1}I")


def _record_values(data: bytes) -> list[str] | None:
    """The values of format 3's plaintext; None when the lengths do not add up (never a guess)."""
    (n,) = _U32_BE.unpack_from(data)
    ends = list(itertools.accumulate(struct.unpack_from(f">{n}I", data, 4)))
    text = data[4 + 4 * n :].decode()
    if (ends[-1] if ends else 0) != len(text):
        return None
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]  # the first is one longer


def _versions(version: int | Sequence[int], count: int) -> Sequence[int]:
    if isinstance(version, int):
        return (version,) * count
    if len(version) != count:
        raise ValueError(f"{count} values for {len(version)} versions")
    return version


def _storage_text(plaintext: str) -> str:
    if type(plaintext) is not str:
        raise TypeError(f"a value to encrypt must be str, not {type(plaintext).__name__}")
    return normalise_for_storage(plaintext)


def _utf8(text: str) -> bytes:
    # The UnicodeEncodeError would carry the whole value: raise outside the handler so it is not chained.
    position = None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        position = error.start
    raise CryptoError(
        f"値が正しい Unicode 文字列ではありません（{position} 文字目に孤立サロゲート）",
        f"the value is not valid Unicode text (a lone surrogate at index {position})",
    )
