"""Bulk import of completions from CSV: Excel's encodings, row-and-column errors, all or nothing."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.test import SimpleTestCase

from itaku.ledger.models import Event
from itaku.training import services
from itaku.training.csv_import import MAX_ERRORS, parse_date, parse_result
from itaku.training.models import Completion
from tests.training.support import TrainingTestCase, csv_bytes, today

HEADER = ["ユーザー名", "氏名", "講座", "受講日", "結果"]


class ParseTests(SimpleTestCase):
    def test_dates(self) -> None:
        april = dt.date(2026, 4, 1)
        for text in ("2026-04-01", "2026/4/1", "2026/04/01", "2026.4.1", "2026年4月1日", "令和8年4月1日",
                     "令和８年４月１日", "２０２６／４／１", " 令和 8年4月1日 ", "㋿8年4月1日"):
            self.assertEqual(parse_date(text), april, text)
        self.assertEqual(parse_date("令和元年5月1日"), dt.date(2019, 5, 1))
        self.assertEqual(parse_date("平成31年4月30日"), dt.date(2019, 4, 30))
        self.assertEqual(parse_date("昭和64年1月7日"), dt.date(1989, 1, 7))
        for text in ("令和1年4月30日", "平成31年5月1日", "2026-02-30", "2026/13/1", "4/1/2026", "R8.4.1", "", "明日"):
            self.assertIsNone(parse_date(text), text)

    def test_results(self) -> None:
        for word in ("修了", "passed", "PASSED", " 合格 "):
            self.assertIs(parse_result(word), True, word)
        for word in ("未修了", "failed", "Not passed", "不合格"):
            self.assertIs(parse_result(word), False, word)
        self.assertIsNone(parse_result("欠席"))


class ImportTests(TrainingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.takahashi = self.staff("takahashi", "髙橋 﨑子")
        self.yamazaki = self.staff("yamazaki", "山﨑 太郎")
        self.rows = [
            HEADER,
            ["takahashi", "髙橋　﨑子", "個人情報保護研修", "2025-04-01", "修了"],
            ["yamazaki", "山﨑太郎", "個人情報保護研修", "2025/4/2", "未修了"],
            ["yamazaki", "", "個人情報保護研修", "令和7年4月3日", "修了"],
        ]

    def _import(self, data: bytes, **kwargs):
        return services.import_completions(self.world.responsible, self.contract, data, **kwargs)

    def _events(self) -> list[Event]:
        return list(Event.objects.filter(chain=self.contract.ledger_chain, kind="training.imported"))

    def _assert_imported(self, encoding: str) -> None:
        report = self._import(csv_bytes(self.rows, encoding))
        self.assertTrue(report.ok, [str(e) for e in report.errors])
        self.assertEqual((report.rows, report.imported, report.skipped), (3, 3, 0))
        self.assertEqual(report.encoding, encoding)
        got = sorted(Completion.objects.values_list("person__username", "completed_on", "passed"))
        self.assertEqual(got, [
            ("takahashi", dt.date(2025, 4, 1), True),
            ("yamazaki", dt.date(2025, 4, 2), False),
            ("yamazaki", dt.date(2025, 4, 3), True),
        ])
        self.assertTrue(all(c.recorded_by == self.world.responsible for c in Completion.objects.all()))
        [event] = self._events()
        self.assertEqual(event.facts, {"organisation": self.world.contractor.pk, "rows": 3, "encoding": encoding,
                                       "imported": 3, "skipped": 0})
        self.assertEqual(services.missing_topics(self.takahashi, self.contract, dt.date(2025, 5, 1)), frozenset())

    def test_utf8(self) -> None:
        self._assert_imported("utf-8")

    def test_utf8_with_bom(self) -> None:
        self._assert_imported("utf-8-sig")

    def test_cp932_with_kanji_shift_jis_lacks(self) -> None:
        data = csv_bytes(self.rows, "cp932")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("shift_jis")  # 髙 and 﨑 are outside Shift_JIS: this file is CP932 only
        self._assert_imported("cp932")

    def test_unknown_encoding_imports_nothing(self) -> None:
        report = self._import(csv_bytes(self.rows, "utf-16"))
        self.assertFalse(report.ok)
        self.assertEqual(report.errors[0].message_ja,
                         "文字コードを判別できません（UTF-8 または CP932 で保存してください）")
        self.assertEqual(report.errors[0].message_en, "cannot determine the encoding (save as UTF-8 or CP932)")
        self.assertFalse(Completion.objects.exists())
        report = self._import("ユーザー名".encode("utf-16-le"))
        self.assertEqual(report.errors[0].message_en, "cannot determine the encoding (save as UTF-8 or CP932)")

    def _errors(self, rows: list[list[str]]) -> list[str]:
        report = self._import(csv_bytes(rows))
        self.assertFalse(report.ok)
        self.assertFalse(Completion.objects.exists())
        self.assertEqual(self._events(), [])
        return [str(e) for e in report.errors]

    def test_unknown_person(self) -> None:
        for username in ("nobody", "supervisor", "foreign_responsible"):
            errors = self._errors([HEADER, [username, "", "個人情報保護研修", "2025-04-01", "修了"]])
            self.assertEqual(errors, ["2行目「ユーザー名」: この契約の受託者の利用者ではありません。 / "
                                      "Row 2, column “ユーザー名”: not a user of the contract's contractor."])

    def test_name_must_match_the_registered_one(self) -> None:
        errors = self._errors([HEADER, ["takahashi", "高橋 崎子", "個人情報保護研修", "2025-04-01", "修了"]])
        self.assertEqual(len(errors), 1)
        self.assertIn("2行目「氏名」", errors[0])
        self.assertNotIn("高橋", errors[0])  # the value itself is not echoed

    def test_unknown_course(self) -> None:
        errors = self._errors([HEADER, ["takahashi", "", "存在しない研修", "2025-04-01", "修了"]])
        self.assertEqual(errors, ["2行目「講座」: この契約の講座にありません。 / "
                                  "Row 2, column “講座”: not a course of this contract."])

    def test_bad_date_names_row_and_column(self) -> None:
        errors = self._errors([HEADER, self.rows[1], ["yamazaki", "", "個人情報保護研修", "2025-02-30", "修了"]])
        self.assertEqual(errors, ["3行目「受講日」: 日付として読めません（例: 2026-04-01、2026/4/1、令和8年4月1日）。"
                                  " / Row 3, column “受講日”: not a date (e.g. 2026-04-01, 2026/4/1, 令和8年4月1日)."])

    def test_future_date(self) -> None:
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        errors = self._errors([HEADER, ["yamazaki", "", "個人情報保護研修", tomorrow, "修了"]])
        self.assertEqual(errors, ["2行目「受講日」: 未来の日付です。 / "
                                  "Row 2, column “受講日”: the date is in the future."])

    def test_bad_result_and_empty_cells(self) -> None:
        errors = self._errors([HEADER, ["", "", "個人情報保護研修", "", "出席"]])
        self.assertEqual(errors, [
            "2行目「ユーザー名」: 値がありません。 / Row 2, column “ユーザー名”: no value.",
            "2行目「受講日」: 値がありません。 / Row 2, column “受講日”: no value.",
            "2行目「結果」: 「修了」か「未修了」を入力してください。 / "
            "Row 2, column “結果”: enter 修了 (passed) or 未修了 (not passed).",
        ])

    def test_empty_file_and_header_only(self) -> None:
        self.assertEqual(self._errors([]), ["ファイルが空です。 / The file is empty."])
        self.assertEqual(self._errors([HEADER]),
                         ["見出し行のほかにデータ行がありません。 / There are no data rows below the header."])

    def test_missing_and_duplicated_columns(self) -> None:
        errors = self._errors([["ユーザー名", "講座", "結果"], ["takahashi", "個人情報保護研修", "修了"]])
        self.assertEqual(errors, ["1行目「受講日」: 必須の列がありません。 / "
                                  "Row 1, column “受講日”: this required column is missing."])
        errors = self._errors([["ユーザー名", "講座", "受講日", "結果", "Course"],
                               ["takahashi", "個人情報保護研修", "2025-04-01", "修了", "x"]])
        self.assertEqual(errors, ["1行目「Course」: 同じ意味の列が重複しています。 / "
                                  "Row 1, column “Course”: the column appears twice."])

    def test_ragged_rows(self) -> None:
        errors = self._errors([HEADER, ["takahashi", "", "個人情報保護研修", "2025-04-01"], self.rows[1]])
        self.assertEqual(errors, ["2行目: 列の数が見出しと違います（見出し5列、この行4列）。 / "
                                  "Row 2: 4 columns where the header has 5."])

    def test_broken_quotes(self) -> None:
        data = '\ufeffユーザー名,講座,受講日,結果\r\ntakahashi,"個人情報保護研修,2025-04-01,修了\r\n'.encode()
        report = self._import(data)
        self.assertFalse(report.ok)
        self.assertFalse(Completion.objects.exists())

    def test_at_most_100_errors_are_listed(self) -> None:
        rows = [HEADER] + [[f"ghost{i}", "", "個人情報保護研修", "2025-04-01", "修了"] for i in range(150)]
        report = self._import(csv_bytes(rows))
        self.assertEqual(report.error_count, 150)
        self.assertEqual(len(report.errors), MAX_ERRORS)
        self.assertEqual(report.unlisted, 50)
        self.assertEqual(report.errors[0].row, 2)
        self.assertEqual(report.errors[-1].row, 101)

    def test_one_bad_row_imports_nothing(self) -> None:
        rows = [*self.rows, ["takahashi", "", "個人情報保護研修", "令和7年13月1日", "修了"]]
        report = self._import(csv_bytes(rows))
        self.assertEqual(report.error_count, 1)
        self.assertEqual(report.errors[0].row, 5)
        self.assertEqual(len(report.entries), 3)  # the valid rows were checked, and still not recorded
        self.assertFalse(Completion.objects.exists())
        self.assertEqual(self._events(), [])

    def test_a_failing_ledger_write_takes_the_rows_with_it(self) -> None:
        with mock.patch("itaku.training.services.record", side_effect=RuntimeError("ledger down")), \
                self.assertRaises(RuntimeError):
            self._import(csv_bytes(self.rows))
        self.assertFalse(Completion.objects.exists())

    def test_english_headers_any_order_extra_columns_and_blank_lines(self) -> None:
        rows = [
            ["Result", "Date", "Department", "Course", "Username"],
            ["passed", "2025-04-01", "総務", "個人情報保護研修", "takahashi"],
            ["", "", "", "", ""],
            [],
            ["failed", "2025-04-02", "", "個人情報保護研修", "ｙａｍａｚａｋｉ"],
        ]
        report = self._import(csv_bytes(rows))
        self.assertTrue(report.ok, [str(e) for e in report.errors])
        self.assertEqual((report.rows, report.imported), (2, 2))

    def test_rows_are_numbered_as_excel_shows_them(self) -> None:
        rows = [HEADER, self.rows[1], [], ["nobody", "", "個人情報保護研修", "2025-04-01", "修了"]]
        self.assertIn("4行目「ユーザー名」", self._errors(rows)[0])

    def test_importing_again_skips_what_is_recorded(self) -> None:
        self._import(csv_bytes(self.rows))
        report = self._import(csv_bytes([*self.rows, ["takahashi", "", "個人情報保護研修", "2025-10-01", "修了"]]))
        self.assertEqual((report.rows, report.imported, report.skipped), (4, 1, 3))
        self.assertEqual(Completion.objects.count(), 4)
        self.assertEqual(self._events()[-1].facts, {"organisation": self.world.contractor.pk, "rows": 4,
                                                    "encoding": "utf-8", "imported": 1, "skipped": 3})

    def test_dry_run_records_nothing(self) -> None:
        report = self._import(csv_bytes(self.rows), dry_run=True)
        self.assertTrue(report.ok)
        self.assertEqual((len(report.entries), report.imported), (3, 0))
        self.assertFalse(Completion.objects.exists())
        self.assertEqual(self._events(), [])
