"""Writing rows out (copies and the return): CSV in UTF-8 with BOM or CP932, XLSX, formula injection guarded,
the copy stamp inside the file, refusals that name the field and never the value, nothing on disk."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import time
from unittest import mock

import openpyxl
from django.test import SimpleTestCase

from itaku.vault import exports
from itaku.vault.exports import ExportError, Format

HEADER = ["氏名", "住所", "備考"]
ATTACKS = ["=cmd|' /C calc'!A0", "+1", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "＝1+1"]
STAMP = "複写番号: C-7-3"


def _csv(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


class GuardTests(SimpleTestCase):
    def test_what_is_guarded(self) -> None:
        for value in [*ATTACKS, "-", "'quoted", "\n=1", "\0x"]:
            self.assertTrue(exports.needs_guard(value), repr(value))
        for value in ["", "佐藤 太郎", "-12", "-0.5", "12", "a=b", "03-3777-1111", " =1"]:
            self.assertFalse(exports.needs_guard(value), repr(value))

    def test_neutralise_can_be_undone(self) -> None:
        for value in [*ATTACKS, "'quoted", "''", "plain", "-12"]:
            written = exports.neutralise(value)
            restored = written[1:] if written.startswith("'") else written
            self.assertEqual(restored, value)
        self.assertEqual(exports.neutralise("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0")
        self.assertEqual(exports.neutralise("-12"), "-12")


class CsvTests(SimpleTestCase):
    def test_utf8_with_bom_stamp_header_and_guarded_cells(self) -> None:
        made = exports.export(Format.CSV_UTF8, "C-7-3", HEADER, [["佐藤 ①", a, "-12"] for a in ATTACKS],
                              stamp=STAMP)
        self.assertEqual(made.filename, "C-7-3.csv")
        self.assertTrue(made.data.startswith(codecs.BOM_UTF8))
        self.assertIn(b"\r\n", made.data)
        rows = _csv(made.data, "utf-8-sig")
        self.assertEqual(rows[0], [STAMP, "", ""])
        self.assertEqual(rows[1], HEADER)
        self.assertEqual(made.records, len(ATTACKS))
        for row, attack in zip(rows[2:], ATTACKS, strict=True):
            self.assertEqual(row, ["佐藤 ①", "'" + attack, "-12"])
            self.assertFalse(row[1][0] in "=+-@\t\r", row)

    def test_cp932(self) -> None:
        made = exports.export(Format.CSV_CP932, "x", HEADER, [["髙橋 﨑子", "品川区広町2-1-36 ①号", "+1"]])
        self.assertFalse(made.data.startswith(codecs.BOM_UTF8))
        self.assertEqual(_csv(made.data, "cp932"), [HEADER, ["髙橋 﨑子", "品川区広町2-1-36 ①号", "'+1"]])
        self.assertEqual(made.content_type, "text/csv; charset=Windows-31J")

    def test_cp932_refuses_a_character_it_lacks_naming_the_field_not_the_value(self) -> None:
        rows = [["佐藤 太郎", "品川区", ""], ["𠮷野 花子", "品川区", ""]]
        with self.assertRaises(ExportError) as caught:
            exports.export(Format.CSV_CP932, "x", HEADER, rows)
        error = caught.exception
        self.assertIn("2件目の「氏名」", error.message_ja)
        self.assertIn("Record 2, field “氏名”", error.message_en)
        self.assertIn("UTF-8", error.message_en)
        for message in (error.message_ja, error.message_en, str(error)):
            self.assertNotIn("𠮷", message)
            self.assertNotIn("花子", message)
        self.assertEqual(exports.export(Format.CSV_UTF8, "x", HEADER, rows).records, 2)


class XlsxTests(SimpleTestCase):
    def _read(self, data: bytes) -> openpyxl.Workbook:
        return openpyxl.load_workbook(io.BytesIO(data))

    def test_guarded_cells_stay_text_with_the_quote_prefix(self) -> None:
        made = exports.export(Format.XLSX, "C-7-3", HEADER, [["佐藤", a, "-12"] for a in ATTACKS], stamp=STAMP)
        book = self._read(made.data)
        sheet = book.active
        rows = list(sheet.iter_rows())
        self.assertEqual(rows[0][0].value, STAMP)
        self.assertEqual([c.value for c in rows[1]], HEADER)
        for row, attack in zip(rows[2:], ATTACKS, strict=True):
            name, cell, number = row
            self.assertEqual(cell.value, attack)
            self.assertEqual(cell.data_type, "s")  # never a formula ("f")
            self.assertTrue(cell.quotePrefix, attack)
            self.assertFalse(name.quotePrefix)
            self.assertEqual((number.value, number.data_type), ("-12", "s"))  # text, kept as held
        self.assertEqual(made.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def test_the_stamp_survives_in_the_document(self) -> None:
        book = self._read(exports.export(Format.XLSX, "C-7-3", HEADER, [["a", "b", "c"]], stamp=STAMP).data)
        self.assertEqual(book.properties.identifier, STAMP)
        self.assertEqual(book.properties.title, STAMP)
        self.assertEqual(book.active.oddHeader.right.text, STAMP)
        self.assertEqual(book.active.title, "C-7-3")

    def test_nothing_is_spooled_to_disk(self) -> None:
        with mock.patch("openpyxl.worksheet._writer.create_temporary_file",
                        side_effect=AssertionError("a temporary file")), \
                mock.patch("tempfile.NamedTemporaryFile", side_effect=AssertionError("a temporary file")):
            made = exports.export(Format.XLSX, "x", HEADER, [["佐藤", str(n), ""] for n in range(2000)])
        self.assertEqual(self._read(made.data).active.max_row, 2001)

    def test_a_long_dataset_continues_on_the_next_sheet(self) -> None:
        with mock.patch.object(exports.XlsxOutput, "MAX_ROWS", 4):  # the stamp, the header and two records
            made = exports.export(Format.XLSX, "x", HEADER, [[str(n), "", ""] for n in range(5)], stamp=STAMP)
        book = self._read(made.data)
        self.assertEqual(book.sheetnames, ["x", "x (2)", "x (3)"])
        second = [[c.value for c in row] for row in book["x (2)"].iter_rows()]
        self.assertEqual(second, [[STAMP, None, None], HEADER, ["2", None, None], ["3", None, None]])
        self.assertEqual(made.records, 5)

    def test_control_characters_are_escaped_as_ooxml_and_overlong_cells_refused(self) -> None:
        made = exports.export(Format.XLSX, "x", HEADER, [["佐藤", "_x0041_", "改\x0bページ"]])
        cells = [c.value for c in list(self._read(made.data).active.iter_rows())[1]]
        self.assertEqual(cells, ["佐藤", "_x005F_x0041_", "改_x000B_ページ"])  # what Excel decodes to the value
        with self.assertRaises(ExportError) as caught:
            exports.export(Format.XLSX, "x", HEADER, [["佐藤", "品川区", ""], ["佐藤", "品川区", "秘" * 40_000]])
        self.assertIn("2件目の「備考」", caught.exception.message_ja)
        self.assertNotIn("秘", str(caught.exception).replace("秘密", ""))

    def test_same_rows_same_bytes_whenever_written(self) -> None:
        created = dt.datetime(2025, 4, 1, 9, 30, tzinfo=dt.UTC)
        first = exports.export(Format.XLSX, "x", HEADER, [["佐藤", "=1", ""]], created=created)
        with mock.patch("time.time", return_value=time.time() + 7 * 86400):
            again = exports.export(Format.XLSX, "x", HEADER, [["佐藤", "=1", ""]], created=created)
        self.assertEqual(first.sha256, again.sha256)
        self.assertEqual(self._read(first.data).properties.created, created.replace(tzinfo=None))
