"""The vault's envelope encryption: round trips, binding to the record, failing closed, rotation, erasure."""

from __future__ import annotations

import json
import os
import pickle
import secrets
import subprocess
import sys
import traceback
import unicodedata

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from itaku.vault import crypto
from itaku.vault.crypto import (
    CryptoError,
    DecryptionError,
    FieldCipher,
    LocalMasterKeys,
    MasterKeyError,
    WrappedKeys,
    new_dataset_keys,
    normalise_for_storage,
    open_dataset,
    rewrap,
)

SECRET_A = secrets.token_urlsafe(32)
SECRET_B = secrets.token_urlsafe(32)
MASTER = LocalMasterKeys.from_secret(SECRET_A)
KEYS = new_dataset_keys(MASTER)
CIPHER, INDEX = open_dataset(KEYS, MASTER, index_bits=16)
RAW_DATA_KEY = MASTER.unwrap(KEYS.data_key, purpose="data")
WHERE = {"dataset": 7, "record": 1001, "field": 3, "version": 1}
NAME = "髙橋 﨑子"

JAPANESE = [
    "佐藤 太郎",
    "①",
    "㈱山田商事",
    "髙橋",
    "山﨑",
    "𠮷野家",
    "東京都品川区広町二丁目1番36号",
    "ｻﾄｳ ﾀﾛｳ",  # half-width kana are stored as entered
    "神",  # U+FA19, a CJK compatibility ideograph
    "葛󠄀城",  # 葛 with an ideographic variation selector
    "",  # an empty optional field is a value
    "123456789018",
]


def leaks(exc: BaseException, *secret_values: str | bytes) -> list[str]:
    """Which of `secret_values` appear in what an exception shows: str, repr, messages, chained exceptions."""
    shown = [str(exc), repr(exc), getattr(exc, "message_ja", ""), getattr(exc, "message_en", "")]
    chained: BaseException | None = exc
    while chained is not None:  # what a logged traceback prints besides source lines
        shown.append("".join(traceback.format_exception_only(chained)))
        chained = chained.__cause__ or chained.__context__
    found = []
    for value in secret_values:
        raw = value.encode() if isinstance(value, str) else value
        needles = [raw.hex(), raw.hex().upper(), repr(raw)[2:-1]] + ([value] if isinstance(value, str) else [])
        if any(needle and needle in text for needle in needles for text in shown):
            found.append(repr(value))
    return found


# Round trips


@pytest.mark.parametrize("value", JAPANESE)
def test_round_trip_keeps_the_value_as_entered(value: str) -> None:
    blob = CIPHER.encrypt(value, **WHERE)
    assert CIPHER.decrypt(blob, **WHERE) == value
    assert len(blob) == 1 + 12 + len(value.encode()) + 16
    assert blob[0] == crypto.FIELD_FORMAT


def test_combining_sequences_are_stored_composed() -> None:
    decomposed = "か\u3099とう e\u0301"  # が with a combining voiced mark; é as e + acute
    blob = CIPHER.encrypt(decomposed, **WHERE)
    assert CIPHER.decrypt(blob, **WHERE) == "がとう é"
    assert unicodedata.is_normalized("NFC", CIPHER.decrypt(blob, **WHERE))


def test_storage_form_is_nfc_never_nfkc() -> None:
    for value in ["①", "㈱", "ｻﾄｳ", "ＡＢＣ", "髙", "﨑", "𠮷", "㍾"]:
        assert normalise_for_storage(value) == value
    assert normalise_for_storage("か\u3099") == "が"
    # NFC would turn 神 (U+FA19) into 神 (U+795E): a different glyph in a person's name; it is kept.
    assert unicodedata.normalize("NFC", "\ufa19") == "\u795e"
    assert normalise_for_storage("\ufa19") == "\ufa19"
    assert normalise_for_storage("か\u3099\ufa19\u585a\ufa10") == "が\ufa19\u585a\ufa10"


def test_equal_values_give_different_ciphertexts() -> None:
    blobs = {CIPHER.encrypt(NAME, **WHERE) for _ in range(100)}
    assert len(blobs) == 100
    assert len({blob[1:13] for blob in blobs}) == 100  # fresh nonces


def test_the_fields_of_a_record_round_trip_in_one_call() -> None:
    values = ["佐藤 太郎", "ｻﾄｳ ﾀﾛｳ", "", "①", "123456789018"]
    fields = [11, 12, 13, 14, 15]
    blobs = CIPHER.encrypt_fields(values, dataset=7, record=5, fields=fields)
    assert CIPHER.decrypt_fields(blobs, dataset=7, record=5, fields=fields) == values
    assert len({blob[1:13] for blob in blobs}) == len(blobs)
    assert CIPHER.decrypt(blobs[1], dataset=7, record=5, field=12) == "ｻﾄｳ ﾀﾛｳ"
    with pytest.raises(DecryptionError):
        CIPHER.decrypt_fields(blobs[::-1], dataset=7, record=5, fields=fields)
    with pytest.raises(ValueError, match="5 values for 4 fields"):
        CIPHER.encrypt_fields(values, dataset=7, record=5, fields=fields[:4])
    versioned = CIPHER.encrypt_fields(values[:2], dataset=7, record=5, fields=[11, 12], version=[3, 4])
    assert CIPHER.decrypt(versioned[1], dataset=7, record=5, field=12, version=4) == "ｻﾄｳ ﾀﾛｳ"


RECORD = {"dataset": 7, "record": 1001, "version": 2}
PERSON = ["佐藤　太郎", "ｻﾄｳ ﾀﾛｳ", "", "①-㈱", "123456789018", "\ufa19", 'quote " and \\ backslash']


def test_a_record_sealed_as_one_ciphertext_round_trips() -> None:
    blob = CIPHER.seal_record(PERSON, **RECORD)
    assert blob[0] == crypto.RECORD_FORMAT
    assert CIPHER.open_record(blob, **RECORD) == PERSON
    assert CIPHER.open_record(memoryview(blob), **RECORD) == PERSON
    assert CIPHER.open_record(CIPHER.seal_record((), **RECORD), **RECORD) == []
    assert CIPHER.open_record(CIPHER.seal_record(["か\u3099"], **RECORD), **RECORD) == ["が"]
    # 29 bytes of format, nonce and tag; the count and one length (4 bytes each); the UTF-8 of the values
    assert len(CIPHER.seal_record(["佐藤"], **RECORD)) == 29 + 8 + len("佐藤".encode())
    assert [len(b) for b in CIPHER.seal_records([PERSON, ["佐藤"]], dataset=7, records=[1, 2], version=2)] == [
        len(CIPHER.seal_record(PERSON, **RECORD)), 29 + 8 + 6]


@pytest.mark.parametrize("moved", [{"record": 1002}, {"dataset": 8}, {"version": 1}])
def test_a_record_moved_elsewhere_does_not_open(moved: dict[str, int]) -> None:
    blob = CIPHER.seal_record(PERSON, **RECORD)
    with pytest.raises(DecryptionError, match="the record ciphertext does not decrypt") as caught:
        CIPHER.open_record(blob, **(RECORD | moved))
    assert not leaks(caught.value, *[value for value in PERSON if value], blob)


def test_a_tampered_or_mistaken_record_fails() -> None:
    blob = CIPHER.seal_record(PERSON, **RECORD)
    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            CIPHER.open_record(bytes(tampered), **RECORD)
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            CIPHER.open_record(blob[:length], **RECORD)
    with pytest.raises(DecryptionError):
        FieldCipher(os.urandom(32)).open_record(blob, **RECORD)
    field_blob = CIPHER.encrypt(NAME, dataset=7, record=1001, field=0, version=2)
    with pytest.raises(DecryptionError, match="not a record \\(format 1, a field value; format 3 expected"):
        CIPHER.open_record(field_blob, **RECORD)
    with pytest.raises(DecryptionError, match="not a field value"):
        CIPHER.decrypt(blob, dataset=7, record=1001, field=0, version=2)


def test_a_record_is_only_made_of_text() -> None:
    with pytest.raises(TypeError, match="must be str, not NoneType"):
        CIPHER.seal_record(["a", None], **RECORD)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="list or tuple of str, not str"):
        CIPHER.seal_record("佐藤", **RECORD)  # type: ignore[arg-type]
    with pytest.raises(CryptoError, match="lone surrogate at index 2") as caught:
        CIPHER.seal_record(["佐藤", "太郎\ud800様"], **RECORD)
    assert not leaks(caught.value, "佐藤", "太郎") and caught.value.__context__ is None
    with pytest.raises(ValueError, match="2\\*\\*64-1"):
        CIPHER.seal_record(PERSON, **(RECORD | {"record": -1}))
    # Even with the right key, a ciphertext that is not a list of text is refused, not passed on.
    for not_a_record in ['{"a": 1}', "[1, 2]", "not json", '"佐藤"', "[null]"]:
        nonce = os.urandom(12)
        aad = b"\x02" + (7).to_bytes(8, "big") + (1001).to_bytes(8, "big") + (2).to_bytes(8, "big")
        forged = b"\x02" + nonce + crypto.AESGCM(RAW_DATA_KEY).encrypt(nonce, not_a_record.encode(), aad)
        with pytest.raises(DecryptionError) as caught:
            CIPHER.open_record(forged, **RECORD)
        assert not leaks(caught.value, not_a_record) and caught.value.__context__ is None


def _forged(plaintext: bytes, record_format: int) -> bytes:
    """A record ciphertext made with the right key around any plaintext, as only a key holder could."""
    nonce = os.urandom(12)
    aad = bytes([record_format]) + (7).to_bytes(8, "big") + (1001).to_bytes(8, "big") + (2).to_bytes(8, "big")
    return bytes([record_format]) + nonce + crypto.AESGCM(RAW_DATA_KEY).encrypt(nonce, plaintext, aad)


def test_records_of_format_2_still_open() -> None:
    """Records written before format 3 held the JSON array of their values; they open as they were."""
    old = _forged(json.dumps(PERSON, ensure_ascii=False).encode(), 2)
    assert CIPHER.open_record(old, **RECORD) == PERSON


def test_format_3_lengths_that_do_not_add_up_are_refused() -> None:
    for plaintext in [b"\0\0\0\2\0\0\0\1\0\0\0\1abc", b"\0\0\0\1\0\0\0\5abc", b"\0\0\0\3\0\0\0\1", b"\0\0", b""]:
        with pytest.raises(DecryptionError) as caught:
            CIPHER.open_record(_forged(plaintext, 3), **RECORD)
        assert caught.value.__context__ is None


@given(st.lists(st.text(), max_size=12), st.integers(0, 2**64 - 1))
def test_any_record_round_trips(values: list[str], record: int) -> None:
    blob = CIPHER.seal_record(values, dataset=1, record=record, version=1)
    assert CIPHER.open_record(blob, dataset=1, record=record, version=1) == [normalise_for_storage(v) for v in values]


@given(st.text(), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_any_text_round_trips(value: str, record: int, field: int) -> None:
    blob = CIPHER.encrypt(value, dataset=1, record=record, field=field)
    stored = CIPHER.decrypt(blob, dataset=1, record=record, field=field)
    assert stored == normalise_for_storage(value)
    assert unicodedata.normalize("NFC", stored) == unicodedata.normalize("NFC", value)  # canonically equal
    if unicodedata.is_normalized("NFC", value):
        assert stored == value


# Binding to dataset, record, field and version


@pytest.mark.parametrize(
    "moved",
    [
        {"record": 1002},
        {"field": 4},
        {"dataset": 8},
        {"version": 2},
        {"record": 3, "field": 1001},  # the ids swapped round
    ],
)
def test_a_ciphertext_moved_elsewhere_does_not_decrypt(moved: dict[str, int]) -> None:
    blob = CIPHER.encrypt(NAME, **WHERE)
    with pytest.raises(DecryptionError, match="taken from another record") as caught:
        CIPHER.decrypt(blob, **(WHERE | moved))
    assert not leaks(caught.value, NAME, blob)


def test_swapping_ciphertexts_between_two_records_fails() -> None:
    first = CIPHER.encrypt("佐藤 太郎", dataset=7, record=1, field=3)
    second = CIPHER.encrypt("鈴木 花子", dataset=7, record=2, field=3)
    for blob, record in [(first, 2), (second, 1)]:
        with pytest.raises(DecryptionError):
            CIPHER.decrypt(blob, dataset=7, record=record, field=3)
    assert CIPHER.decrypt(first, dataset=7, record=1, field=3) == "佐藤 太郎"


def test_another_datasets_key_does_not_decrypt() -> None:
    other, _ = open_dataset(new_dataset_keys(MASTER), MASTER, index_bits=16)
    blob = CIPHER.encrypt(NAME, **WHERE)
    with pytest.raises(DecryptionError):
        other.decrypt(blob, **WHERE)
    with pytest.raises(DecryptionError):
        FieldCipher(os.urandom(32)).decrypt(blob, **WHERE)


# Failing closed


def test_every_single_byte_tampered_fails() -> None:
    blob = CIPHER.encrypt(NAME, **WHERE)
    for position in range(len(blob)):  # header, nonce, body and tag
        for flip in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[position] ^= flip
            with pytest.raises(DecryptionError) as caught:
                CIPHER.decrypt(bytes(tampered), **WHERE)
            assert not leaks(caught.value, NAME, blob, bytes(tampered))


def test_extended_ciphertext_fails() -> None:
    blob = CIPHER.encrypt(NAME, **WHERE)
    with pytest.raises(DecryptionError):
        CIPHER.decrypt(blob + b"\0", **WHERE)


def test_truncated_ciphertext_fails() -> None:
    blob = CIPHER.encrypt(NAME, **WHERE)
    for length in range(1, len(blob)):
        with pytest.raises(DecryptionError):
            CIPHER.decrypt(blob[:length], **WHERE)
    with pytest.raises(DecryptionError, match=r"truncated \(28 bytes, at least 29\)"):
        CIPHER.decrypt(blob[:28], **WHERE)
    empty_value = CIPHER.encrypt("", **WHERE)
    with pytest.raises(DecryptionError):
        CIPHER.decrypt(empty_value[:-1], **WHERE)


def test_empty_or_missing_ciphertext_is_an_error_never_an_empty_value() -> None:
    with pytest.raises(DecryptionError, match="the ciphertext is empty"):
        CIPHER.decrypt(b"", **WHERE)
    for not_bytes in [None, "", "AQID", 0]:
        with pytest.raises(DecryptionError, match="the ciphertext is not bytes"):
            CIPHER.decrypt(not_bytes, **WHERE)  # type: ignore[arg-type]


def test_unknown_format_version_fails_and_says_so() -> None:
    blob = CIPHER.encrypt(NAME, **WHERE)
    for version in (0, 4, 255):
        with pytest.raises(DecryptionError, match=f"unknown ciphertext format {version}; format 1 expected"):
            CIPHER.decrypt(bytes([version]) + blob[1:], **WHERE)
    with pytest.raises(DecryptionError, match="not a field value \\(format 2, a record"):
        CIPHER.decrypt(b"\x02" + blob[1:], **WHERE)


def test_database_buffers_are_accepted() -> None:
    blob = CIPHER.encrypt(NAME, **WHERE)
    assert CIPHER.decrypt(memoryview(blob), **WHERE) == NAME  # PostgreSQL bytea
    assert CIPHER.decrypt(bytearray(blob), **WHERE) == NAME


def test_error_messages_hold_no_plaintext_ciphertext_or_key() -> None:
    secret_value = "特定個人情報 123456789018"
    blob = CIPHER.encrypt(secret_value, **WHERE)
    with pytest.raises(DecryptionError) as caught:
        CIPHER.decrypt(blob, **(WHERE | {"record": 9}))
    assert not leaks(caught.value, secret_value, "123456789018", blob, blob[1:13], blob[-16:])
    assert "record 9" in str(caught.value) and "レコード 9" in str(caught.value)
    # A value that cannot be encoded: the UnicodeEncodeError (which carries the whole value) is not chained.
    with pytest.raises(CryptoError, match="lone surrogate at index 6") as caught:
        CIPHER.encrypt("佐藤 太郎様\ud800です", **WHERE)
    assert not leaks(caught.value, "佐藤", "太郎", "です")
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_errors_survive_pickling_for_worker_processes() -> None:
    with pytest.raises(DecryptionError) as caught:
        CIPHER.decrypt(b"", **WHERE)
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object, round-tripped
    assert type(copy) is DecryptionError and str(copy) == str(caught.value)
    assert copy.message_en == "the ciphertext is empty; it is not a value"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="must be str, not NoneType"):
        CIPHER.encrypt(None, **WHERE)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CIPHER.encrypt(b"bytes", **WHERE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="from 0 to 2\\*\\*64-1"):
        CIPHER.encrypt(NAME, **(WHERE | {"record": -1}))
    with pytest.raises(ValueError):
        CIPHER.encrypt(NAME, **(WHERE | {"field": 2**64}))
    for bad_key in [b"", os.urandom(16), os.urandom(31), os.urandom(33), "k" * 32]:
        with pytest.raises(CryptoError, match="must be 32 bytes"):
            FieldCipher(bad_key)  # type: ignore[arg-type]


def test_encryptions_are_counted_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    cipher = FieldCipher(os.urandom(32))
    monkeypatch.setattr(crypto, "MAX_ENCRYPTIONS_PER_KEY", 5)
    cipher.encrypt("a", **WHERE)
    cipher.encrypt_fields(["b", "c", "d"], dataset=7, record=1, fields=[1, 2, 3])
    assert cipher.encryptions == 4
    with pytest.raises(CryptoError, match="2\\*\\*32 encryptions"):
        cipher.encrypt_fields(["e", "f"], dataset=7, record=1, fields=[1, 2])
    cipher.encrypt("e", **WHERE)
    with pytest.raises(CryptoError):
        cipher.encrypt("f", **WHERE)
    assert cipher.encryptions == 5


# Master keys


def test_master_key_derivation_is_pinned() -> None:
    """Changing the derivation would make every installation's data unreadable: it must stay HKDF as written."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"itaku vault master key v1").derive(
        SECRET_A.encode()
    )
    keys = new_dataset_keys(MASTER)
    assert LocalMasterKeys({1: derived}).unwrap(keys.data_key, purpose="data")
    derived_v2 = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"itaku vault master key v2").derive(
        SECRET_A.encode()
    )
    with pytest.raises(DecryptionError):  # the version is part of the derivation
        LocalMasterKeys({1: derived_v2}).unwrap(keys.data_key, purpose="data")
    wrapped_v2 = LocalMasterKeys.from_secret(SECRET_A, version=2).wrap(os.urandom(32), purpose="index")
    assert LocalMasterKeys({2: derived_v2}).unwrap(wrapped_v2, purpose="index")


def test_the_settings_key_file_reads_as_version_1(tmp_path) -> None:
    path = tmp_path / "vault_master_key"
    path.write_text(SECRET_A + "\n", encoding="ascii")  # as itaku.lib.config writes it
    from_file = LocalMasterKeys.from_file(path)
    assert from_file.versions() == (1,)
    assert from_file.unwrap(KEYS.index_key, purpose="index") == MASTER.unwrap(KEYS.index_key, purpose="index")


def test_key_lists(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"# rotated 2025-11-25\n2:{SECRET_B}\n\n1:{SECRET_A}  # retire after the rewrap\n"
    path = tmp_path / "keys"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ITAKU_TEST_VAULT_KEYS", f"1:{SECRET_A},2:{SECRET_B}")
    for keys in [
        LocalMasterKeys.parse(text),
        LocalMasterKeys.from_file(path),
        LocalMasterKeys.from_env("ITAKU_TEST_VAULT_KEYS"),
    ]:
        assert keys.versions() == (1, 2) and keys.current_version() == 2
        assert keys.unwrap(KEYS.data_key, purpose="data") == MASTER.unwrap(KEYS.data_key, purpose="data")
        assert keys.version_of(keys.wrap(os.urandom(32), purpose="data")) == 2
    monkeypatch.setenv("ITAKU_TEST_VAULT_KEYS", SECRET_A)
    assert LocalMasterKeys.from_env("ITAKU_TEST_VAULT_KEYS").versions() == (1,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no master key"),
        ("# only a comment\n", "no master key"),
        ("short-secret", "at least 32 characters"),
        (f"1:{SECRET_A}\n1:{SECRET_B}", "line 2: version 1 twice"),
        (f"1:{SECRET_A}\n{SECRET_B}", "line 2: each entry of a key list must read version:secret"),
        (f"x:{SECRET_A}\n2:{SECRET_B}", "line 1: each entry"),
        (f"0:{SECRET_A}", "line 1: a version is an integer from 1"),
        (f"4294967296:{SECRET_A}", "a version is an integer from 1 to 4294967295"),
        (f"1:{SECRET_A}:extra", "without whitespace, comma, colon or #"),
        ("1:", "at least 32 characters"),
    ],
)
def test_bad_key_lists_are_refused_without_showing_secrets(text: str, message: str) -> None:
    with pytest.raises(MasterKeyError, match=message) as caught:
        LocalMasterKeys.parse(text)
    assert not leaks(caught.value, SECRET_A, SECRET_B, "short-secret")


def test_missing_key_sources(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MasterKeyError, match="cannot read the master key file"):
        LocalMasterKeys.from_file(tmp_path / "absent")
    garbled = tmp_path / "garbled"
    garbled.write_bytes(b"1:" + SECRET_A.encode() + b"\xff\xfe")
    with pytest.raises(MasterKeyError, match="not UTF-8 text") as caught:
        LocalMasterKeys.from_file(garbled)
    assert not leaks(caught.value, SECRET_A) and caught.value.__context__ is None
    monkeypatch.delenv("ITAKU_TEST_VAULT_KEYS", raising=False)
    with pytest.raises(MasterKeyError, match="ITAKU_TEST_VAULT_KEYS is not set"):
        LocalMasterKeys.from_env("ITAKU_TEST_VAULT_KEYS")
    with pytest.raises(MasterKeyError, match="must be 32 bytes"):
        LocalMasterKeys({1: os.urandom(16)})
    with pytest.raises(MasterKeyError, match="no master key"):
        LocalMasterKeys({})


def test_nothing_shows_a_key() -> None:
    assert repr(MASTER) == "LocalMasterKeys(versions=[1])"
    assert repr(KEYS) == "WrappedKeys(data_key=<65 bytes>, index_key=<65 bytes>)"
    assert SECRET_A not in repr(MASTER) and "bits=16" in repr(INDEX)
    assert KEYS.data_key.hex() not in repr(KEYS)


# Wrapped keys


def test_dataset_keys_are_separate_random_values() -> None:
    first, second = new_dataset_keys(MASTER), new_dataset_keys(MASTER)
    raw = [MASTER.unwrap(k.data_key, purpose="data") for k in (first, second)]
    raw += [MASTER.unwrap(k.index_key, purpose="index") for k in (first, second)]
    assert len(set(raw)) == 4 and all(len(key) == 32 for key in raw)
    assert len(first.data_key) == len(first.index_key) == 65
    assert MASTER.version_of(first.data_key) == 1 and first.data_key[:5] == b"\x01\x00\x00\x00\x01"


def test_a_wrapped_key_only_opens_for_its_purpose() -> None:
    with pytest.raises(DecryptionError, match="the index key does not unwrap"):
        MASTER.unwrap(KEYS.data_key, purpose="index")
    with pytest.raises(DecryptionError, match="the data key does not unwrap"):
        open_dataset(WrappedKeys(data_key=KEYS.index_key, index_key=KEYS.data_key), MASTER, index_bits=16)
    with pytest.raises(ValueError, match="purpose must be"):
        MASTER.unwrap(KEYS.data_key, purpose="other")  # type: ignore[arg-type]


def test_tampered_wrapped_keys_fail() -> None:
    for position in range(len(KEYS.data_key)):
        tampered = bytearray(KEYS.data_key)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError) as caught:
            MASTER.unwrap(bytes(tampered), purpose="data")
        assert not leaks(caught.value, KEYS.data_key, MASTER.unwrap(KEYS.data_key, purpose="data"))
    for length in range(len(KEYS.data_key)):
        with pytest.raises(DecryptionError):
            MASTER.unwrap(KEYS.data_key[:length], purpose="data")
    with pytest.raises(DecryptionError, match="the wrapped key is empty"):
        MASTER.unwrap(b"", purpose="data")
    with pytest.raises(DecryptionError, match="unknown wrapped-key format 2"):
        MASTER.unwrap(b"\x02" + KEYS.data_key[1:], purpose="data")
    with pytest.raises(DecryptionError, match="66 bytes long, not 65"):
        MASTER.unwrap(KEYS.data_key + b"\0", purpose="data")
    with pytest.raises(DecryptionError, match="not bytes"):
        WrappedKeys(data_key=None, index_key=KEYS.index_key)  # type: ignore[arg-type]


def test_unknown_or_wrong_master_key_fails() -> None:
    with pytest.raises(DecryptionError, match="master key version 2, which is not held here \\(held: 1\\)"):
        MASTER.unwrap(LocalMasterKeys.parse(f"2:{SECRET_B}").wrap(os.urandom(32), purpose="data"), purpose="data")
    with pytest.raises(DecryptionError, match="another master key of the same version"):
        LocalMasterKeys.from_secret(SECRET_B).unwrap(KEYS.data_key, purpose="data")


def test_wrapped_keys_from_the_database_are_bytes() -> None:
    stored = WrappedKeys(data_key=memoryview(KEYS.data_key), index_key=bytearray(KEYS.index_key))  # type: ignore[arg-type]
    assert stored == KEYS and type(stored.data_key) is bytes and type(stored.index_key) is bytes


# Rotation


def test_rotation_rewraps_keys_and_leaves_records_alone() -> None:
    old = LocalMasterKeys.from_secret(SECRET_A)
    keys = new_dataset_keys(old)
    cipher, index = open_dataset(keys, old, index_bits=20)
    records = {n: cipher.encrypt(f"住民 {n} 号", dataset=3, record=n, field=1) for n in range(1, 6)}
    indexes = {n: index.of(f"住民 {n} 号", field=1) for n in records}

    both = LocalMasterKeys.parse(f"1:{SECRET_A}\n2:{SECRET_B}")
    rotated = rewrap(keys, both, both)
    assert both.version_of(rotated.data_key) == both.version_of(rotated.index_key) == 2
    assert rotated.data_key != keys.data_key

    new_only = LocalMasterKeys.parse(f"2:{SECRET_B}")  # version 1 retired: the old wrapped keys are useless now
    with pytest.raises(DecryptionError, match="master key version 1"):
        open_dataset(keys, new_only, index_bits=20)
    cipher2, index2 = open_dataset(rotated, new_only, index_bits=20)
    for n, blob in records.items():  # the very same ciphertexts and indexes
        assert cipher2.decrypt(blob, dataset=3, record=n, field=1) == f"住民 {n} 号"
        assert index2.of(f"住民　{n}　号", field=1) == indexes[n]
    direct, _ = open_dataset(rewrap(keys, old, new_only), new_only, index_bits=20)  # two separate providers
    assert direct.decrypt(records[1], dataset=3, record=1, field=1) == "住民 1 号"


# Crypto erase


def test_crypto_erase_destroying_the_dataset_keys_leaves_nothing_readable() -> None:
    master = LocalMasterKeys.from_secret(SECRET_A)
    keys = new_dataset_keys(master)
    cipher, index = open_dataset(keys, master, index_bits=32)
    blob = cipher.encrypt("佐藤 太郎", dataset=9, record=1, field=1)
    stored_index = index.of("佐藤 太郎", field=1)
    del cipher, index, keys  # disposal: every copy of both wrapped keys destroyed; the master key survives

    # Nothing the installation still holds opens the data: fresh dataset keys under the same master key
    # are independent random values (nothing is derived from the master key or the dataset's id) ...
    for _ in range(20):
        fresh_cipher, fresh_index = open_dataset(new_dataset_keys(master), master, index_bits=32)
        with pytest.raises(DecryptionError):
            fresh_cipher.decrypt(blob, dataset=9, record=1, field=1)
        assert fresh_index.of("佐藤 太郎", field=1) != stored_index
    # ... and the master key itself is not a data key.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"itaku vault master key v1").derive(
        SECRET_A.encode()
    )
    with pytest.raises(DecryptionError):
        FieldCipher(derived).decrypt(blob, dataset=9, record=1, field=1)


@pytest.mark.parametrize("module", ["itaku.vault.crypto", "itaku.vault.sealing"])
def test_the_layer_is_framework_free(module: str) -> None:
    """The encryption layer and the import's sealing (its workers' code) import no Django: they can be loaded,
    reviewed and benchmarked on their own, and a worker starts without the framework."""
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
