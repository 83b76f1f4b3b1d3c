"""CSV files as users bring them from Excel: CP932 or UTF-8 (with or without a BOM), read as a stream,
every problem named by row (as Excel numbers it, the header being row 1) and column, in Japanese and English,
never repeating a cell's value (it may be personal data). Framework-free: training imports and the vault use it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from itaku.lib.errors import UserError

MAX_ERRORS = 100
ENCODING_LABELS = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp932": "CP932"}
SNIFF_BYTES = 1 << 20
_CHUNK_BYTES = 1 << 20
_UTF8_EVIDENCE = 24  # non-ASCII bytes of valid UTF-8 before a bad byte: the file began in UTF-8


# Dates ------------------------------------------------------------------------------------------------------

# (name, first day, last day); NFKC has already turned ㋿ into 令和 and ㍻ into 平成.
_ERAS = {
    "令和": (dt.date(2019, 5, 1), None),
    "平成": (dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "昭和": (dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
}
_WESTERN = re.compile(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日)")
_ERA = re.compile(r"(令和|平成|昭和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日")


def parse_date(text: str) -> dt.date | None:
    """2026-04-01, 2026/4/1, 2026年4月1日 or 令和8年4月1日 (元年 too); None when it is none of these or no such day."""
    value = "".join(unicodedata.normalize("NFKC", text).split())  # every whitespace out, as re.sub(r"\s+", "", …) did
    try:
        if match := _WESTERN.fullmatch(value):
            year, *parts = match.groups()
            month, day = (parts[0], parts[1]) if parts[0] else (parts[2], parts[3])
            return dt.date(int(year), int(month), int(day))
        if match := _ERA.fullmatch(value):
            era, year, month, day = match.groups()
            first, last = _ERAS[era]
            found = dt.date(first.year + (1 if year == "元" else int(year)) - 1, int(month), int(day))
            return found if first <= found and (last is None or found <= last) else None
    except ValueError:  # 2026-02-30
        return None
    return None


# Decoding ---------------------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding used: a BOM means UTF-8; else strict UTF-8; else CP932 (never shift_jis,
    which refuses 髙 﨑 ① and differs on ～ −)."""
    candidates = ["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # UTF-16 without a BOM decodes "successfully" as UTF-8 full of NULs
            return text, encoding
    raise UserError("文字コードを判別できません（UTF-8 または CP932 で保存してください）",
                    "cannot determine the encoding (save as UTF-8 or CP932)")



def sniff(head: bytes) -> str:
    """The encoding of a file from its first bytes: BOM → UTF-8; valid UTF-8 → UTF-8; else CP932.

    A multi-byte character cut at the end of `head` does not count against UTF-8. A file that begins in
    UTF-8 (non-ASCII text decodes before the first error) is taken as UTF-8, so the reader names the row
    where another encoding starts instead of failing on the first line.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        # CP932 can look like UTF-8 for a few bytes (ﾃｱ = C3 B1 = ñ); eight Japanese characters cannot.
        return "utf-8" if sum(byte >= 0x80 for byte in head[:error.start]) >= _UTF8_EVIDENCE else "cp932"
    return "utf-8"


def _decoded_lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """Line by line, so a decoding error is met at its row (b"\\n" never occurs inside a CP932 or UTF-8
    character, so splitting the bytes there is safe).

    Read and decoded a megabyte at a time: a read per line would be a system call every few dozen lines,
    and each lets go of the GIL that the vault import's writer thread then holds for milliseconds. A chunk
    that does not decode is decoded again line by line, to stop at the line that fails.
    """
    rest = b""
    # Only the file's first bytes may be a BOM: after the first chunk, UTF-8 with BOM is plain UTF-8.
    codec = encoding
    while chunk := stream.read(_CHUNK_BYTES):
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        rest = chunk[cut:]
        if cut:
            yield from _split(chunk[:cut], codec)
            codec = "utf-8" if encoding == "utf-8-sig" else encoding
    if rest:
        yield from _split(rest, codec)


def _split(data: bytes, codec: str) -> Iterator[str]:
    """The lines of `data`, each with its "\\n"; only its first may begin with a BOM."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        plain = "utf-8" if codec == "utf-8-sig" else codec
        lines = data.split(b"\n")  # the last part follows the last "\n": nothing, or a last line without one
        for number, line in enumerate(lines):
            if number < len(lines) - 1:
                line += b"\n"
            if line:
                yield line.decode(plain if number else codec)  # the failing line raises here, at its row
        return
    lines = text.split("\n")
    last = lines.pop()
    for line in lines:
        yield line + "\n"
    if last:
        yield last


class Unreadable(UserError):
    """The file stops being readable at `row`: bytes that are not its encoding (`label`), or broken quotes."""

    def __init__(self, row: int, label: str | None) -> None:
        self.row, self.label = row, label
        if label is None:
            super().__init__(f"{row}行目: CSVとして読めません（引用符の対応を確認してください）。",
                             f"Row {row}: not valid CSV (check the quotes).")
        else:
            super().__init__(f"{row}行目: {label} として読めない文字があります（文字コードが混在しています）。",
                             f"Row {row}: bytes that are not {label} (mixed encodings).")

    def __reduce__(self) -> tuple[type, tuple[int, str | None]]:
        return type(self), (self.row, self.label)

    def after(self, rows: int) -> Unreadable:
        """The same problem in a file that has `rows` more rows before this part of it."""
        return Unreadable(self.row + rows, self.label)


def stream_records(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(row as Excel numbers it, cells) for every record of a binary stream, decoded as it is read.

    Raises Unreadable naming the row when the bytes stop being `encoding` (a file of mixed encodings) or the
    CSV quoting is broken; the caller's transaction then keeps nothing of the file.
    """
    reader = csv.reader(_decoded_lines(stream, encoding), strict=True)
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            yield row, record
    except UnicodeDecodeError:
        raise Unreadable(row + 1, ENCODING_LABELS.get(encoding, encoding)) from None
    except csv.Error:
        raise Unreadable(row + 1, None) from None


def piece_records(data: bytes, encoding: str) -> tuple[list[list[str]], Unreadable | None]:
    """The records of a piece of a file (`record_chunks`; the record at index i is its row i + 1) and, when
    the piece stops being readable, why and where, with the records before that point.

    The piece is decoded at once and its lines cut at b"\n" in C, as `stream_records` reads them; only a
    piece that does not decode or parse is read again by `stream_records`, to find the row.
    """
    try:
        return list(csv.reader(io.StringIO(data.decode(encoding), newline="\n"), strict=True)), None
    except (UnicodeDecodeError, csv.Error):
        pass
    read: list[list[str]] = []
    try:
        read.extend(cells for _, cells in stream_records(io.BytesIO(data), encoding))
    except Unreadable as error:
        return read, error
    return read, None


def record_chunks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """The rest of `stream` in pieces of about `size` bytes, each ending where a record ends (a newline
    outside quotes), so that each piece parses on its own and several can be read at once.

    Safe in CP932 and UTF-8: neither has b'"' or b"\n" inside a character. A piece that reaches 16 × `size`
    without such a newline is given whole: no record is that long, so its quotes are broken, and its reader
    says so at its row.
    """
    rest = b""
    while data := stream.read(size):
        data = rest + data if rest else data
        cut = _last_record_end(data)
        if not cut and len(data) < 16 * size:
            rest = data
            continue
        cut = cut or len(data)
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest


def first_record(data: bytes) -> tuple[bytes, bytes]:
    """`data` cut after its first record (the header), and the rest."""
    start = quotes = 0
    while (newline := data.find(b"\n", start)) >= 0:
        quotes += data.count(b'"', start, newline)
        if quotes % 2 == 0:
            return data[:newline + 1], data[newline + 1:]
        start = newline + 1
    return data, b""


def _last_record_end(data: bytes) -> int:
    """Just past the last newline of `data` outside quotes (an even number of quotes before it), or 0."""
    end, before = len(data), data.count(b'"')
    while (newline := data.rfind(b"\n", 0, end)) >= 0:
        before -= data.count(b'"', newline, end)
        if before % 2 == 0:
            return newline + 1
        end = newline
    return 0


@dataclass(frozen=True)
class RowError:
    """One problem: where (row as Excel counts it, header as written) and why, in both languages."""

    row: int | None
    column: str | None
    reason_ja: str
    reason_en: str

    @property
    def message_ja(self) -> str:
        if self.row is None:
            return self.reason_ja
        where = f"{self.row}行目" + (f"「{self.column}」" if self.column else "")
        return f"{where}: {self.reason_ja}"

    @property
    def message_en(self) -> str:
        if self.row is None:
            return self.reason_en
        where = f"Row {self.row}" + (f", column “{self.column}”" if self.column else "")
        return f"{where}: {self.reason_en}"

    def __str__(self) -> str:
        return f"{self.message_ja} / {self.message_en}"
