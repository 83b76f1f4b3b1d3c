import datetime
from zoneinfo import ZoneInfo

import pytest

from itaku.lib.era import dual_date, era_date, era_year

D = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 11, 25), "令和7年11月25日"),
        (D(2026, 11, 25), "令和8年11月25日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2019, 12, 31), "令和元年12月31日"),
        (D(2020, 1, 1), "令和2年1月1日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1926, 12, 25), "昭和元年12月25日"),
        (D(1927, 1, 1), "昭和2年1月1日"),
    ],
)
def test_era_date_boundaries(day: datetime.date, expected: str) -> None:
    assert era_date(day) == expected


def test_before_showa_is_refused() -> None:
    with pytest.raises(ValueError, match="1926-12-24"):
        era_date(D(1926, 12, 24))


def test_era_year() -> None:
    assert era_year(D(2025, 11, 25)) == "令和7年"
    assert era_year(D(2019, 5, 1)) == "令和元年"
    assert era_year(D(2019, 4, 30)) == "平成31年"


def test_dual_date() -> None:
    assert dual_date(D(2025, 11, 25)) == "令和7年11月25日 (2025-11-25)"
    assert dual_date(D(2019, 5, 1)) == "令和元年5月1日 (2019-05-01)"


def test_naive_datetime_uses_its_date() -> None:
    assert era_date(datetime.datetime(2019, 4, 30, 23, 59)) == "平成31年4月30日"


def test_aware_datetime_is_dated_in_tokyo() -> None:
    # 2019-04-30 15:00 UTC is already 2019-05-01 00:00 in Tokyo: the first day of 令和.
    utc = datetime.datetime(2019, 4, 30, 15, 0, tzinfo=datetime.UTC)
    assert era_date(utc) == "令和元年5月1日"
    assert dual_date(utc) == "令和元年5月1日 (2019-05-01)"
    tokyo = datetime.datetime(2019, 4, 30, 23, 59, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert era_date(tokyo) == "平成31年4月30日"
