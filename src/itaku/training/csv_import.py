"""Completions from a CSV file as Excel saves it, checked row by row before anything is recorded.

Excel's "CSV" is CP932 and its "CSV UTF-8" is UTF-8 with a BOM; both, and plain UTF-8, are read. Columns
are found by their headers, in Japanese or English, in any order; other columns are ignored. Every problem
names its row as Excel numbers it (the header is row 1) and the column as headed in the file, in Japanese
and English, and never repeats the cell's value (it may be personal data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from itaku.accounts.models import Organisation, User
from itaku.lib.csvfile import ENCODING_LABELS, MAX_ERRORS, RowError, decode, parse_date
from itaku.lib.errors import UserError
from itaku.training.models import Completion, Course, course_owners, normalise_title


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Japanese header a template file carries
    aliases: tuple[str, ...]
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("username", "ユーザー名", ("ユーザー名", "ユーザ名", "ユーザーid", "username", "user name", "login")),
    Column("name", "氏名", ("氏名", "名前", "name", "full name", "display name"), required=False),
    Column("course", "講座", ("講座", "講座名", "研修名", "course", "course title")),
    Column("date", "受講日", ("受講日", "修了日", "date", "date completed", "completed on")),
    Column("result", "結果", ("結果", "result")),
)
TEMPLATE_HEADER = [c.header for c in COLUMNS]

_PASSED = frozenset({"修了", "合格", "passed", "pass"})
_FAILED = frozenset({"未修了", "不合格", "not passed", "failed", "fail"})
_DATE_HINT = ("日付として読めません（例: 2026-04-01、2026/4/1、令和8年4月1日）。",
              "not a date (e.g. 2026-04-01, 2026/4/1, 令和8年4月1日).")


def _key(text: str) -> str:
    """A header or result word as compared: NFKC, case-folded, separators as single spaces."""
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _name_key(text: str) -> str:
    """Names compare after NFKC with every space removed: 髙橋　﨑子 and 髙橋﨑子 are the same person."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_ALIASES = {_key(alias): column for column in COLUMNS for alias in column.aliases}


# Results ---------------------------------------------------------------------------------------------------

def parse_result(text: str) -> bool | None:
    """修了 / passed → True, 未修了 / failed → False, anything else None."""
    word = _key(text)
    return True if word in _PASSED else False if word in _FAILED else None


# Checking ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A valid row, ready to be recorded."""

    row: int
    person: User
    course: Course
    completed_on: dt.date
    passed: bool


@dataclass
class ImportReport:
    """What a check (and an import) found: counts, the valid entries and the first MAX_ERRORS problems."""

    encoding: str | None = None
    rows: int = 0  # data rows read, blank rows not counted
    skipped: int = 0  # rows already recorded (or repeated in the file)
    imported: int = 0
    entries: list[Entry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding or "", "-")

    @property
    def unlisted(self) -> int:
        """Errors beyond the listed ones."""
        return self.error_count - len(self.errors)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


def _read_records(text: str, report: ImportReport) -> list[list[str]] | None:
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in reader:
            records.append(record)
    except csv.Error:
        report.add(RowError(len(records) + 1, None, "CSVとして読めません（引用符の対応を確認してください）。",
                            "not valid CSV (check the quotes)."))
        return None
    return records


def _columns(header: list[str], report: ImportReport) -> dict[str, tuple[int, str]] | None:
    """column key → (index, the header as written); errors for duplicated or missing required columns."""
    found: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(header):
        column = _ALIASES.get(_key(cell))
        if column is None:
            continue
        if column.key in found:
            report.add(RowError(1, cell.strip(), "同じ意味の列が重複しています。", "the column appears twice."))
        found[column.key] = (index, cell.strip())
    for column in COLUMNS:
        if column.required and column.key not in found:
            report.add(RowError(1, column.header, "必須の列がありません。", "this required column is missing."))
    return found if report.ok else None


def check(contract: Any, data: bytes, *, today: dt.date, organisation: Organisation | None = None) -> ImportReport:
    """Read and check every row against one party's staff (the contractor's by default) and the courses its
    people may complete; record nothing."""
    party = organisation or contract.contractor
    report = ImportReport()
    try:
        text, report.encoding = decode(data)
    except UserError as error:
        report.add(RowError(None, None, error.message_ja, error.message_en))
        return report
    if not text.strip():
        report.add(RowError(None, None, "ファイルが空です。", "The file is empty."))
        return report
    records = _read_records(text, report)
    if records is None:
        return report
    header = records[0]
    columns = _columns(header, report)
    if columns is None:
        return report
    staff = User.objects.filter(organisation=party)
    people = {unicodedata.normalize("NFKC", u.username): u for u in staff}
    courses = {normalise_title(c.title): c for c in Course.objects.filter(contract=contract)}
    owners = course_owners(contract, party.pk)
    stranger = (("この契約の受託者の利用者ではありません。", "not a user of the contract's contractor.")
                if party.pk == contract.contractor_id else
                ("この再委託先の利用者ではありません（取り込めるのは自組織の従業者だけです）。",
                 "not a user of this subcontractor (only its own people can be imported)."))
    known = set(Completion.objects.filter(course__contract=contract)
                .values_list("person_id", "course_id", "completed_on", "passed"))
    for row, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # Excel leaves blank lines (and ",,,,") below the data
        report.rows += 1
        if len(record) != len(header):
            report.add(RowError(
                row, None, f"列の数が見出しと違います（見出し{len(header)}列、この行{len(record)}列）。",
                f"{len(record)} columns where the header has {len(header)}.",
            ))
            continue
        entry = _check_row(row, record, columns, report, people=people, courses=courses, owners=owners,
                           stranger=stranger, today=today)
        if entry is None:
            continue
        key = (entry.person.pk, entry.course.pk, entry.completed_on, entry.passed)
        if key in known:
            report.skipped += 1
        else:
            known.add(key)
            report.entries.append(entry)
    if report.rows == 0:
        report.add(RowError(None, None, "見出し行のほかにデータ行がありません。",
                            "There are no data rows below the header."))
    return report


def _check_row(
    row: int, record: list[str], columns: dict[str, tuple[int, str]], report: ImportReport, *,
    people: dict[str, User], courses: dict[str, Course], owners: set[int], stranger: tuple[str, str],
    today: dt.date,
) -> Entry | None:
    errors = report.error_count

    def cell(key: str) -> str:
        return record[columns[key][0]].strip() if key in columns else ""

    def fail(key: str, ja: str, en: str) -> None:
        report.add(RowError(row, columns[key][1], ja, en))

    def required(key: str) -> str | None:
        value = cell(key)
        if not value:
            fail(key, "値がありません。", "no value.")
        return value or None

    person = course = completed_on = passed = None
    if (username := required("username")) is not None:
        person = people.get(unicodedata.normalize("NFKC", username))
        if person is None:
            fail("username", *stranger)
        elif cell("name") and _name_key(cell("name")) != _name_key(person.display_name or person.username):
            fail("name", "登録されている氏名と一致しません。", "does not match the registered name.")
    if (title := required("course")) is not None:
        course = courses.get(normalise_title(title))
        if course is None:
            fail("course", "この契約の講座にありません。", "not a course of this contract.")
        elif course.organisation_id not in owners:
            fail("course", "この組織の従業者が受講する講座ではありません（他の再委託先の講座です）。",
                 "not a course this organisation's people may complete (another subcontractor's own).")
            course = None
    if (text := required("date")) is not None:
        completed_on = parse_date(text)
        if completed_on is None:
            fail("date", *_DATE_HINT)
        elif completed_on > today:
            fail("date", "未来の日付です。", "the date is in the future.")
    if (word := required("result")) is not None:
        passed = parse_result(word)
        if passed is None:
            fail("result", "「修了」か「未修了」を入力してください。", "enter 修了 (passed) or 未修了 (not passed).")
    if report.error_count != errors or person is None or course is None or completed_on is None or passed is None:
        return None
    return Entry(row, person, course, completed_on, passed)
