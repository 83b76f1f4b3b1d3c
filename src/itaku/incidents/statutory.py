"""The statutory side of an incident for a public body (APPI art. 68 and the My Number Act): whether the
authority must report it to the Personal Information Protection Commission, and by when.

Triggers for public bodies and for My Number data: special-care information (the authority's own 条例要配慮
categories included; one person suffices), a risk of financial harm, an unlawful purpose, or more than 100
people (1,000 applies to private businesses only). Data strongly encrypted, its keys not leaked, is exempt.
Preliminary report (速報) promptly: a target of day 3, late after day 5; final report (確報) within 30 days,
60 with an unlawful purpose. Day one is the day it became known; a last day that is not a working day moves
to the next working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from itaku.lib.workdays import period_deadline

PEOPLE_THRESHOLD = 100  # "more than 100 people": public bodies and My Number data
PRELIMINARY_TARGET_DAYS = 3
PRELIMINARY_LATE_AFTER_DAYS = 5
FINAL_DAYS = 30
FINAL_DAYS_UNLAWFUL = 60
REPORT_DAYS = 3  # the contractor's written report ("without delay"): by the PPC preliminary target


@dataclass(frozen=True)
class Trigger:
    code: str
    label_ja: str
    label_en: str


def triggers(*, special_care: bool, ordinance_categories: int, financial_harm: bool, unlawful_purpose: str,
             people_count: int | None) -> list[Trigger]:
    """Every reason the facts give to report; empty when none applies."""
    found = []
    if special_care or ordinance_categories:
        found.append(Trigger("special_care", "要配慮個人情報（条例要配慮個人情報を含む）",
                             "Special-care information (the authority's own categories included)"))
    if financial_harm:
        found.append(Trigger("financial_harm", "財産的被害が生じるおそれ", "Risk of financial harm"))
    if unlawful_purpose:
        found.append(Trigger("unlawful_purpose", "不正の目的によるおそれ", "An unlawful purpose"))
    if people_count is not None and people_count > PEOPLE_THRESHOLD:
        found.append(Trigger("over_100", "本人の数が100人を超える", "More than 100 people"))
    return found


@dataclass(frozen=True)
class Deadlines:
    known_on: dt.date
    preliminary_target: dt.date
    preliminary_late_after: dt.date
    final_due: dt.date


def deadlines(known_on: dt.date, *, unlawful: bool) -> Deadlines:
    """The PPC report deadlines counted from the day it became known (day one)."""
    return Deadlines(
        known_on=known_on,
        preliminary_target=period_deadline(known_on, PRELIMINARY_TARGET_DAYS),
        preliminary_late_after=period_deadline(known_on, PRELIMINARY_LATE_AFTER_DAYS),
        final_due=period_deadline(known_on, FINAL_DAYS_UNLAWFUL if unlawful else FINAL_DAYS),
    )


def report_due(known_on: dt.date) -> dt.date:
    """When the contractor's written report is due: the day of the authority's preliminary target."""
    return period_deadline(known_on, REPORT_DAYS)
