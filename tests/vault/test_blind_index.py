"""Blind indexes: one person found however the name was typed, per field, truncated as CipherSweet sizes them."""

from __future__ import annotations

import hashlib
import hmac
import math
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itaku.vault.crypto import (
    BlindIndex,
    CryptoError,
    FieldCipher,
    index_bits,
    normalise_for_index,
    same_for_search,
)

KEY = bytes(range(32))  # fixed, so that the assertions below about distinct values are deterministic
INDEX = BlindIndex(KEY, bits=32)
NAME_FIELD, KANA_FIELD = 21, 22


def reference(key: bytes, value: str, field: int, bits: int) -> int:
    """The index by its definition: the first `bits` bits of HMAC-SHA256(key, field u64 | UTF-8 normalised)."""
    message = field.to_bytes(8, "big") + normalise_for_index(value).encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest(), "big") >> (256 - bits)


@pytest.mark.parametrize(
    "spellings",
    [
        ["サトウ", "ｻﾄｳ", "サ ト ウ"],
        ["ダイスケ", "ﾀﾞｲｽｹ", "ダイスケ", "タ゛イスケ"],  # half-width, combining and stand-alone voiced marks
        ["佐藤　太郎", "佐藤 太郎", "佐藤太郎", " 佐藤\t太郎\n", "佐藤\u00a0太郎", "佐藤\u200b太郎"],
        ["SATO Taro", "ＳＡＴＯ　ＴＡＲＯ", "sato taro", "SatoTaro"],
        ["1-2-3", "１－２－３"],
        ["神", "神"],  # U+FA19 typed or imported, U+795E searched for
        ["葛城", "葛\U000e0100城", "葛\ufe00城"],  # an ideographic variation sequence, a variation selector
    ],
)
def test_spellings_of_one_value_find_the_same_record(spellings: list[str]) -> None:
    assert len({INDEX.of(spelling, field=NAME_FIELD) for spelling in spellings}) == 1
    assert all(same_for_search(spelling, spellings[0]) for spelling in spellings)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("佐藤太郎", "佐藤次郎"),
        ("サトウ", "さとう"),  # hiragana and katakana are kept apart
        ("髙橋", "高橋"),  # different characters, not different widths
        ("山﨑", "山崎"),
        ("サトウ", "サトー"),
    ],
)
def test_different_values_do_not_match(first: str, second: str) -> None:
    assert INDEX.of(first, field=NAME_FIELD) != INDEX.of(second, field=NAME_FIELD)
    assert not same_for_search(first, second)


def test_normalisation_for_the_index() -> None:
    assert normalise_for_index("ｻﾄｳ　ﾀﾛｳ") == "サトウタロウ"
    assert normalise_for_index("①㈱") == "1(株)"  # only the index folds them; the stored value keeps ① ㈱
    assert normalise_for_index("Straße") == "strasse"
    assert normalise_for_index(" \u3000\t\n\u200b\ufeff") == ""


@given(st.text())
def test_normalising_twice_changes_nothing(value: str) -> None:
    once = normalise_for_index(value)
    assert normalise_for_index(once) == once
    assert same_for_search(value, once)


def test_equal_values_in_two_fields_do_not_match() -> None:
    assert INDEX.of("サトウ", field=NAME_FIELD) != INDEX.of("サトウ", field=KANA_FIELD)
    assert INDEX.of("サトウ", field=KANA_FIELD) == INDEX.of("ｻﾄｳ", field=KANA_FIELD)


def test_each_dataset_key_gives_other_indexes() -> None:
    other = BlindIndex(os.urandom(32), bits=32)
    assert other.of("佐藤太郎", field=NAME_FIELD) != INDEX.of("佐藤太郎", field=NAME_FIELD)


def test_nothing_to_index_gives_none() -> None:
    for blank in ["", " ", "\u3000\u3000", "\t\n", "\u200b"]:
        assert INDEX.of(blank, field=NAME_FIELD) is None


@pytest.mark.parametrize("bits", [1, 2, 4, 7, 16, 25, 31, 32])
def test_indexes_are_truncated_to_their_bits(bits: int) -> None:
    index = BlindIndex(KEY, bits=bits)
    values = [index.of(f"住民{n}", field=NAME_FIELD) for n in range(500)]
    assert all(value is not None and 0 <= value < 2**bits for value in values)
    assert values == [reference(KEY, f"住民{n}", NAME_FIELD, bits) for n in range(500)]
    if bits <= 4:
        assert len(set(values)) == 2**bits  # 500 values in at most 16 buckets: every bucket is used
    elif bits <= 8:
        assert 2**bits * 0.9 < len(set(values)) < 500  # collisions are certain
    else:
        assert len(set(values)) > 450


@given(st.text(), st.integers(0, 2**64 - 1), st.integers(1, 32))
def test_index_is_hmac_sha256_by_definition(value: str, field: int, bits: int) -> None:
    index = BlindIndex(KEY, bits=bits)
    if not normalise_for_index(value):
        assert index.of(value, field=field) is None
    else:
        assert index.of(value, field=field) == reference(KEY, value, field, bits)


def test_bad_arguments_are_refused() -> None:
    for bits in [0, 33, -1, 8.0]:
        with pytest.raises(ValueError, match="bits must be an integer from 1 to 32"):
            BlindIndex(KEY, bits=bits)  # type: ignore[arg-type]
    with pytest.raises(CryptoError, match="must be 32 bytes"):
        BlindIndex(KEY[:16], bits=8)
    with pytest.raises(ValueError, match="field must be"):
        INDEX.of("佐藤", field=-1)
    with pytest.raises(CryptoError, match="lone surrogate") as caught:
        INDEX.of("佐藤\udc00", field=1)
    assert "佐藤" not in str(caught.value) and caught.value.__context__ is None


# Sizing


@pytest.mark.parametrize(
    ("rows", "one_index", "two_indexes"),
    [(10, 2, 1), (1_000, 8, 4), (1_000_000, 18, 9), (100_000_000, 25, 12)],
)
def test_index_bits_table(rows: int, one_index: int, two_indexes: int) -> None:
    assert index_bits(rows) == one_index
    assert index_bits(rows, indexes=2) == two_indexes
    for indexes, bits in [(1, one_index), (2, two_indexes)]:
        candidates = rows / 2 ** (bits * indexes)  # C, for all indexes of a row together
        assert 2 <= candidates < math.sqrt(rows)
        assert rows / 2 ** ((bits + 1) * indexes) < 2  # one more bit would single out duplicates


def test_index_bits_meets_the_rule_wherever_it_can() -> None:
    for indexes in (1, 2, 3):
        for rows in range(1, 20_000):
            bits = index_bits(rows, indexes=indexes)
            candidates = rows / 2 ** (bits * indexes)
            achievable = any(2 <= rows / 2 ** (b * indexes) < math.sqrt(rows) for b in range(1, 33))
            if achievable:
                assert 2 <= candidates < math.sqrt(rows), (rows, indexes, bits)
            elif rows >= 2 ** (indexes + 1):
                assert candidates >= 2, (rows, indexes, bits)  # never reveal duplicates
            else:
                assert bits == 1  # tiny: C < 2 cannot be avoided
    assert [index_bits(rows) for rows in range(1, 17)] == [1] * 7 + [2] * 8 + [3]
    assert index_bits(2**40) == 32


def test_index_bits_refuses_nonsense() -> None:
    for rows in [0, -5, 1.5]:
        with pytest.raises(ValueError, match="expected_rows"):
            index_bits(rows)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="indexes"):
        index_bits(100, indexes=0)


# Searching


def test_a_search_decrypts_the_candidates_and_drops_false_positives() -> None:
    """A tiny vault table: the index narrows the search, the comparison after decrypting decides."""
    cipher, index = FieldCipher(os.urandom(32)), BlindIndex(os.urandom(32), bits=index_bits(300))
    assert index.bits == 7
    people = ["佐藤　太郎", "ｻﾄｳ ﾀﾛｳ", "佐藤 太郎", "佐藤 次郎"]
    target = index.of("佐藤太郎", field=NAME_FIELD)
    sharing = sum(index.of(name, field=NAME_FIELD) == target for name in people)
    fillers = (f"住民 {n:05d}" for n in range(100_000))
    while len(people) < 300 or sharing < 6:  # at least four other people share 佐藤太郎's index value
        people.append(next(fillers))
        sharing += index.of(people[-1], field=NAME_FIELD) == target
    table = [  # (record id, ciphertext, blind index): what the database holds
        (record, cipher.encrypt(name, dataset=1, record=record, field=NAME_FIELD), index.of(name, field=NAME_FIELD))
        for record, name in enumerate(people, start=1)
    ]
    decrypted = 0

    def search(query: str) -> list[int]:
        nonlocal decrypted
        wanted = index.of(query, field=NAME_FIELD)
        candidates = [(record, blob) for record, blob, value in table if value == wanted]  # WHERE value = %s
        decrypted = len(candidates)
        return [
            record
            for record, blob in candidates
            if same_for_search(cipher.decrypt(blob, dataset=1, record=record, field=NAME_FIELD), query)
        ]

    assert search("佐藤太郎") == [1, 3]  # typed with a full-width space, and with an ASCII one
    assert decrypted >= 6  # false positives, filtered out by decrypting
    assert search("ｻﾄｳﾀﾛｳ") == [2]
    assert search("住民 00007") == [people.index("住民 00007") + 1]
    assert search("鈴木 一郎") == []
    assert cipher.decrypt(table[0][1], dataset=1, record=1, field=NAME_FIELD) == "佐藤　太郎"  # as entered


def test_match_tags_are_per_record_and_per_key() -> None:
    """The same value in two records has two unrelated tags; another index key gives other tags."""
    value, probe = INDEX.keyed("佐藤 太郎", field=NAME_FIELD)
    assert value == INDEX.of("佐藤　太郎", field=NAME_FIELD) == reference(KEY, "佐藤 太郎", NAME_FIELD, 32)
    assert INDEX.keyed("ｻﾄｳ ﾀﾛｳ", field=NAME_FIELD)[1] == INDEX.keyed("サトウタロウ", field=NAME_FIELD)[1]
    assert INDEX.keyed("佐藤 太郎", field=KANA_FIELD)[1] != probe
    tags = INDEX.tags([probe] * 3, [1, 2, 3])
    assert len(set(tags)) == 3 and all(-(2**63) <= tag < 2**63 for tag in tags)
    assert INDEX.tags([probe], [2]) == [tags[1]]
    other = BlindIndex(bytes(range(1, 33)), bits=32)
    assert other.tags([probe], [2]) != [tags[1]]
    with pytest.raises(ValueError, match="probe"):
        INDEX.tags([b"short"], [1])
    with pytest.raises(ValueError, match="probes for"):
        INDEX.tags([probe], [1, 2])
    assert INDEX.tags([], []) == []


def test_a_remembering_column_index_gives_the_same_answers() -> None:
    """An import's remembering index is the plain one: same values, same probes, None for nothing, also for
    values it no longer has room to remember."""
    plain, column = INDEX.keyed_field(NAME_FIELD), INDEX.keyed_column(NAME_FIELD, remember=2)
    values = ["佐藤 太郎", "ｻﾄｳ ﾀﾛｳ", "佐藤 太郎", "　", "鈴木 一郎", "髙橋 﨑子", "佐藤 太郎", "　"]
    for batch in (values, values[::-1], []):
        assert column(batch) == [plain(value) for value in batch]
