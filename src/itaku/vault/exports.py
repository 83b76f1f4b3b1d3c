"""Rows out of the vault: CSV (UTF-8 with BOM, or CP932) and XLSX, for approved copies (article 10) and the
return package (article 12). One implementation, so both paths guard formulas, stamp and refuse alike.

Formula injection (OWASP "CSV Injection"; ASVS 5.0 V1.2.10): a spreadsheet takes a cell that begins with
= + - @, a tab, CR, LF or NUL as a formula (=cmd|' /C calc'!A0 runs a program through DDE).
- CSV: such a cell gets one leading apostrophe, the marker Excel reads as "text" and hides. A cell already
  beginning with an apostrophe gets one more (Excel would otherwise eat it), so the rule can be undone:
  remove one leading apostrophe from every cell that begins with one. A cell that is wholly a plain negative
  number (-12, -0.5) is left alone: it cannot be a formula. The full-width ＝ ＋ － ＠ that Japanese input
  produces are guarded too, defensively.
- XLSX: every cell is written as text, never as a formula or a number, whatever it looks like, and a guarded
  cell carries the quotePrefix flag, which is how Excel itself stores a typed leading apostrophe: the value
  stays exactly as held and the cell stays text even when someone edits it. The control characters XML cannot
  hold are written as OOXML's _xHHHH_ escapes, which Excel reads back as the characters.

The copy stamp (複写番号) is the first row of the file ("複写番号: C-<contract>-<n>"), so the number travels
with the content whatever the file is renamed to; an XLSX also carries it in its document properties (title,
identifier) and in the header of every printed page.

Nothing is written to disk: CSV rows are encoded one at a time into the caller's stream. openpyxl's write-only
worksheet would spool its rows, values in clear, to a temporary file; here the spool is an in-memory buffer,
deflated as it fills, and the workbook is zipped from it (`_MemoryExcelWriter`, which leans on openpyxl
internals: openpyxl is pinned in constraints.txt and the tests catch any temporary file).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import enum
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from itaku.lib.errors import UserError
from itaku.vault.models import Dataset, Field, Record
from itaku.vault.services import layout, matching, open_keys

GUARDED = frozenset("=+-@\t\r\n\0'＝＋－＠")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:\.\d+)?")
XLSX_CELL_LIMIT = 32_767  # characters Excel holds in one cell
_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


class Format(enum.StrEnum):
    CSV_UTF8 = "csv_utf8"
    CSV_CP932 = "csv_cp932"
    XLSX = "xlsx"

    @property
    def label_ja(self) -> str:
        return _FORMATS[self][0]

    @property
    def label_en(self) -> str:
        return _FORMATS[self][1]

    @property
    def extension(self) -> str:
        return "xlsx" if self is Format.XLSX else "csv"

    @property
    def content_type(self) -> str:
        if self is Format.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=" + ("Windows-31J" if self is Format.CSV_CP932 else "utf-8")


_FORMATS = {
    Format.CSV_UTF8: ("CSV（UTF-8 BOM付き）", "CSV (UTF-8 with BOM)"),
    Format.CSV_CP932: ("CSV（Shift_JIS / CP932）", "CSV (Shift_JIS / CP932)"),
    Format.XLSX: ("Excel（XLSX）", "Excel (XLSX)"),
}
_CODECS = {Format.CSV_UTF8: "utf-8", Format.CSV_CP932: "cp932"}


class ExportError(UserError):
    """Rows that cannot be written in the chosen format; names the record and field, never the value."""


@dataclass(frozen=True)
class ExportFile:
    """A finished file, in memory: what a view sends as a download."""

    filename: str
    content_type: str
    data: bytes
    records: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def ooxml_text(value: str) -> str:
    """A value as XLSX text: the control characters XML cannot hold become OOXML's _xHHHH_ escapes (which Excel
    reads back as the characters), and a literal _xHHHH_ has its underscore escaped so it stays literal."""
    if "_x" in value:
        value = _OOXML_ESCAPE.sub(lambda m: "_x005F" + m.group(0), value)
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)
    return value


def needs_guard(value: str) -> bool:
    """Whether a spreadsheet could read the cell as a formula (or eat its leading apostrophe)."""
    return bool(value) and value[0] in GUARDED and not _NEGATIVE_NUMBER.fullmatch(value)


def neutralise(value: str) -> str:
    """The CSV form of a cell: one leading apostrophe where `needs_guard`."""
    return "'" + value if needs_guard(value) else value


def _where(record: int, field: str) -> tuple[str, str]:
    if record == 0:
        return f"項目名「{field}」", f"Field name “{field}”"
    return f"{record}件目の「{field}」", f"Record {record}, field “{field}”"


class _Output:
    """A writer used as a context manager: an error midway (a refusal) releases what was begun."""

    records: int

    def __enter__(self) -> _Output:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is not None:
            self.abort()

    def add(self, values: Sequence[str]) -> None:
        raise NotImplementedError

    def close(self) -> int:
        return self.records

    def abort(self) -> None:
        """Release what was begun after a refusal; the output is then unusable."""


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


class CsvOutput(_Output):
    """CSV as Excel reads it (CRLF, quoted where needed), row by row into a binary stream."""

    def __init__(self, out: BinaryIO, header: Sequence[str], *, fmt: Format, stamp: str | None = None) -> None:
        if fmt not in _CODECS:
            raise ValueError(f"not a CSV format: {fmt!r}")
        self.out, self.header, self.fmt, self.records = out, list(header), Format(fmt), 0
        self._codec = _CODECS[self.fmt]
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        if self.fmt is Format.CSV_UTF8:
            out.write(codecs.BOM_UTF8)
        if stamp:
            self._write([stamp] + [""] * (len(self.header) - 1), None)
        self._write(self.header, 0)

    def add(self, values: Sequence[str]) -> None:
        self.records += 1
        self._write([neutralise(v) for v in values], self.records)

    def _write(self, cells: list[str], record: int | None) -> None:
        self._writer.writerow(cells)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        try:
            data = text.encode(self._codec)
        except UnicodeEncodeError:
            raise self._unencodable(cells, record) from None
        self.out.write(data)

    def _unencodable(self, cells: list[str], record: int | None) -> ExportError:
        field = next((name for name, cell in zip(self.header, cells, strict=False)
                      if not _encodable(cell, self._codec)), self.header[0])
        if record is None:
            return ExportError("複写番号をCP932で表せません。", "The copy number cannot be written in CP932.")
        where_ja, where_en = _where(record, field)
        return ExportError(
            f"{where_ja}にCP932（Shift_JIS）で表せない文字があります。"
            "CSV（UTF-8 BOM付き）かExcel（XLSX）を選んでください。",
            f"{where_en}: a character that CP932 (Shift_JIS) cannot represent. "
            "Choose CSV (UTF-8 with BOM) or Excel (XLSX).",
        )


class _DeflatedSpool:
    """Where openpyxl writes a sheet's XML: deflated in memory instead of a temporary file on disk."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._deflate = zlib.compressobj()

    def write(self, data: bytes) -> int:
        self._buffer.write(self._deflate.compress(data))
        return len(data)

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        self._buffer.write(self._deflate.flush())
        self._buffer.seek(0)
        inflate = zlib.decompressobj()
        while block := self._buffer.read(size):
            yield inflate.decompress(block)
        yield inflate.flush()
        self._buffer = io.BytesIO()


class StampedZip(zipfile.ZipFile):
    """A ZIP whose every entry carries one date, so the same content gives the same bytes (a return package is
    rebuilt for each download and compared with the SHA-256 recorded when it was built)."""

    def __init__(self, out: BinaryIO, when: dt.datetime) -> None:
        super().__init__(out, "w", compression=zipfile.ZIP_DEFLATED)
        self._when = timezone.localtime(when).timetuple()[:6]  # ZIP dates are local time

    def entry(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self.entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


class _MemoryExcelWriter(ExcelWriter):
    """openpyxl's writer, taking each write-only sheet's XML from its in-memory spool."""

    def write_worksheet(self, ws: Any) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if not ws.closed:
            ws.close()
        ws._rels = ws._writer._rels
        with self._archive.open(self._archive.entry(ws.path[1:]), "w") as entry:
            for chunk in ws._writer.out.chunks():
                entry.write(chunk)
        self.manifest.append(ws)


class XlsxOutput(_Output):
    """Worksheets of text cells, streamed through openpyxl's write-only mode and zipped into `out` on close; a
    dataset longer than a sheet continues on the next one ("data (2)" …), each with the stamp and header."""

    MAX_ROWS = 1_048_576  # rows in an Excel worksheet

    def __init__(self, out: BinaryIO, header: Sequence[str], *, stamp: str | None = None,
                 created: dt.datetime | None = None, sheet: str = "data") -> None:
        self.out, self.header, self.stamp, self.name, self.records = out, list(header), stamp, sheet, 0
        self.created = (created or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
        self.book = Workbook(write_only=True)
        props = self.book.properties
        props.creator = "itaku"
        props.created = props.modified = self.created.replace(tzinfo=None)  # openpyxl wants naive UTC
        if stamp:
            props.title = props.identifier = stamp
        self._sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        self.sheet = self.book.create_sheet(self.name if self._sheets == 1 else f"{self.name} ({self._sheets})")
        self.sheet._writer = WorksheetWriter(self.sheet, out=_DeflatedSpool())
        self.sheet._writer.write_top()
        self._rows = 0
        if self.stamp:
            self.sheet.oddHeader.right.text = self.stamp
            self._append([self._cell(self.stamp, None, "")])
        self._append([self._cell(name, 0, name) for name in self.header])

    def _append(self, cells: list[Any]) -> None:
        self.sheet.append(cells)
        self._rows += 1

    def add(self, values: Sequence[str]) -> None:
        self.records += 1
        if self._rows >= self.MAX_ROWS:
            self._new_sheet()
        self._append([self._cell(v, self.records, f) for v, f in zip(values, self.header, strict=True)])

    def close(self) -> int:
        with StampedZip(self.out, self.created) as archive:
            _MemoryExcelWriter(self.book, archive).write_data()
        return self.records

    def abort(self) -> None:
        for sheet in self.book.worksheets:
            if not sheet.closed:
                sheet.close()

    def _cell(self, value: str, record: int | None, field: str) -> Any:
        if not value:
            return None
        if len(value) > XLSX_CELL_LIMIT:
            where_ja, where_en = _where(record or 0, field)
            raise ExportError(
                f"{where_ja}は{XLSX_CELL_LIMIT}文字を超えており、Excel（XLSX）の一つのセルに入りません。CSVを選んでください。",
                f"{where_en}: longer than the {XLSX_CELL_LIMIT} characters an Excel (XLSX) cell holds. Choose CSV.",
            )
        value = ooxml_text(value)
        if not needs_guard(value):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"  # openpyxl made "=…" a formula; it is text
        cell.quotePrefix = True
        return cell


def write(fmt: Format, out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[str]], *,
          stamp: str | None = None, created: dt.datetime | None = None, sheet: str = "data") -> int:
    """Write `rows` under `header` into `out` in `fmt`; the number of records written."""
    fmt = Format(fmt)
    output: _Output
    if fmt is Format.XLSX:
        output = XlsxOutput(out, header, stamp=stamp, created=created, sheet=sheet)
    else:
        output = CsvOutput(out, header, fmt=fmt, stamp=stamp)
    try:
        with output:
            for row in rows:
                output.add(row)
            return output.close()
    finally:
        if isinstance(rows, Generator):
            rows.close()  # a refusal midway: the database cursor behind the rows closes now, inside its transaction


def export(fmt: Format, name: str, header: Sequence[str], rows: Iterable[Sequence[str]], *,
           stamp: str | None = None, created: dt.datetime | None = None) -> ExportFile:
    """The whole file in memory, named `name` with the format's extension."""
    fmt = Format(fmt)
    buffer = io.BytesIO()
    records = write(fmt, buffer, header, rows, stamp=stamp, created=created, sheet=name[:31])
    return ExportFile(f"{name}.{fmt.extension}", fmt.content_type, buffer.getvalue(), records)


def dataset_rows(dataset: Dataset, fields: Sequence[Field], *, where: tuple[Field, str] | None = None,
                 ) -> Iterator[list[str]]:
    """The values of `fields` (in that order) of every record, oldest first, decrypted one at a time; with
    `where`, only the records whose field equals the query by the blind-index rule, as `access.search`."""
    order = [pk for pk, _ in layout(dataset)]
    positions = [order.index(f.pk) for f in fields]
    if where is not None:
        _, matches = matching(dataset, *where)
        for _, values in matches:
            yield [values[p] for p in positions]
        return
    cipher, _ = open_keys(dataset)
    rows = Record.objects.filter(dataset=dataset).order_by("pk").only("pk", "ciphertext", "schema_version", "revision")
    for found in rows.iterator(chunk_size=2000):
        values = cipher.open_record(found.ciphertext, dataset=dataset.pk, record=found.pk,
                                    version=found.sealed_version)
        yield [values[p] for p in positions]
