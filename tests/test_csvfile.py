"""Reading Excel's CSV files: encodings, streaming, rows as Excel numbers them, dates in both calendars."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from itaku.lib import csvfile
from itaku.lib.csvfile import decode, parse_date, sniff, stream_records
from itaku.lib.errors import UserError

ROWS = "宛名番号,氏名,住所\r\n1,髙橋 﨑子,品川区広町①\r\n2,\"佐藤\r\n花子\",～大井\r\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (ROWS.encode("utf-8-sig"), "utf-8-sig"),
    (ROWS.encode("utf-8"), "utf-8"),
    (ROWS.encode("cp932"), "cp932"),
])
def test_sniff_and_stream(data: bytes, encoding: str) -> None:
    assert sniff(data[:64]) == encoding
    rows = list(stream_records(io.BytesIO(data), encoding))
    assert rows[0] == (1, ["宛名番号", "氏名", "住所"])
    assert rows[1] == (2, ["1", "髙橋 﨑子", "品川区広町①"])
    assert rows[2] == (3, ["2", "佐藤\r\n花子", "～大井"])  # a quoted line break stays in its row


def test_a_multibyte_character_cut_by_the_sniff_window_is_still_utf8() -> None:
    data = "氏名".encode()
    assert sniff(data[:4]) == "utf-8"


def test_halfwidth_katakana_in_cp932_is_not_mistaken_for_utf8() -> None:
    data = "ﾃｱ,髙橋\r\n".encode("cp932")
    assert data.startswith(b"\xc3\xb1")  # valid UTF-8 for "ñ"
    assert sniff(data) == "cp932"


def test_mixed_encodings_name_the_row() -> None:
    data = ("a,b\r\n" * 3).encode() + "髙橋,x\r\n".encode("cp932")
    with pytest.raises(UserError) as caught:
        list(stream_records(io.BytesIO(data), "utf-8"))
    assert "row 4" in caught.value.message_en.lower()
    assert "髙橋" not in str(caught.value)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 1 << 20])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_rows_read_the_same_whatever_the_chunks(monkeypatch, chunk: int, encoding: str) -> None:
    """The file is read a chunk at a time: a chunk boundary inside a character, a line or a quoted line
    break changes nothing, and only the file's first bytes may be a BOM."""
    mark = "" if encoding == "cp932" else "\ufeff"  # a U+FEFF inside the data is data
    text = ROWS + f"3,{mark}末尾,改行なし"
    expected = list(stream_records(io.BytesIO(text.encode(encoding)), encoding))
    monkeypatch.setattr(csvfile, "_CHUNK_BYTES", chunk)
    assert list(stream_records(io.BytesIO(text.encode(encoding)), encoding)) == expected
    assert expected[-1] == (4, ["3", f"{mark}末尾", "改行なし"])
    bad = ("a,b\r\n" * 3).encode() + "髙橋,x\r\n".encode("cp932") + b"c,d\r\n"
    with pytest.raises(UserError) as caught:
        list(stream_records(io.BytesIO(bad), "utf-8"))
    assert "Row 4" in caught.value.message_en


def test_broken_quotes() -> None:
    with pytest.raises(UserError):
        list(stream_records(io.BytesIO(b'a,"b\r\nc,d'), "utf-8"))


def test_whole_file_decode() -> None:
    assert decode(ROWS.encode("cp932")) == (ROWS, "cp932")
    with pytest.raises(UserError):
        decode(b"\x81\x00\xff\xfe\x00")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-04-01", dt.date(2026, 4, 1)),
    ("2026/4/1", dt.date(2026, 4, 1)),
    ("2026年4月1日", dt.date(2026, 4, 1)),
    ("令和8年4月1日", dt.date(2026, 4, 1)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("㍻31年4月30日", dt.date(2019, 4, 30)),
    ("２０２６－０４－０１", dt.date(2026, 4, 1)),
    ("平成32年1月1日", None),
    ("2026-02-30", None),
    ("昨日", None),
])
def test_dates(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("size", [4, 7, 64, 1 << 20])  # 16 × size above the longest record
def test_record_chunks_end_where_records_end(size: int) -> None:
    data = (ROWS * 20 + '3,"引用符""の中の,と\n",最後').encode("cp932")
    pieces = list(csvfile.record_chunks(io.BytesIO(data), size))
    assert b"".join(pieces) == data
    rows = [cells for piece in pieces for _, cells in stream_records(io.BytesIO(piece), "cp932")]
    assert rows == [cells for _, cells in stream_records(io.BytesIO(data), "cp932")]  # each piece parses alone
    assert all(piece.endswith(b"\n") for piece in pieces[:-1])


def test_broken_quotes_give_the_rest_whole_and_its_reader_says_so() -> None:
    data = ('1,"never closed\r\n' + "2,b\r\n" * 100).encode()
    pieces = list(csvfile.record_chunks(io.BytesIO(data), 16))
    assert len(pieces[0]) >= 16 * 16  # no record end found within 16 × size
    assert b"".join(pieces) == data
    with pytest.raises(csvfile.Unreadable) as caught:
        list(stream_records(io.BytesIO(pieces[0]), "utf-8"))
    assert caught.value.after(10).message_en == f"Row {caught.value.row + 10}: not valid CSV (check the quotes)."


def test_first_record_keeps_a_quoted_line_break_in_the_header() -> None:
    assert csvfile.first_record(b'"a\r\nb",c\r\n1,2\r\n') == (b'"a\r\nb",c\r\n', b"1,2\r\n")
    assert csvfile.first_record(b"a,b") == (b"a,b", b"")


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_a_piece_reads_as_the_stream_does(encoding: str) -> None:
    """Decoded at once and cut in C, a piece gives the records `stream_records` gives, quoted line breaks,
    a lone carriage return inside quotes and a last line without its newline included."""
    text = ROWS + '4,"改行\r\nの中",x\r\n5,"復帰\rだけ",y\n\r\n6,最後,改行なし'
    data = text.encode(encoding)
    assert csvfile.piece_records(data, encoding) == ([cells for _, cells in stream_records(io.BytesIO(data),
                                                                                           encoding)], None)


@pytest.mark.parametrize(("data", "before", "row", "label"), [
    (("a,b\r\n" * 3).encode() + "髙橋,x\r\n".encode("cp932") + b"c,d\r\n", [["a", "b"]] * 3, 4, "UTF-8"),
    (b'a,b\r\nc,d\r\ne,"never closed\r\nf,g\r\n', [["a", "b"], ["c", "d"]], 3, None),
])
def test_a_piece_that_stops_being_readable_keeps_the_rows_before(data: bytes, before: list, row: int,
                                                                 label: str | None) -> None:
    read, unreadable = csvfile.piece_records(data, "utf-8")
    assert (read, unreadable.row, unreadable.label) == (before, row, label)
    assert "髙橋" not in str(unreadable)
