"""An inspection through the real flow: scheduled by the world's supervisor with the auditor as inspector."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itaku.accounts.models import Organisation
from itaku.inspections import services as inspections
from itaku.inspections.models import ChecklistItem, Inspection
from tests.base import World

SCOPE = "執務室の施錠管理、入退室記録及び個人情報の保管状況"
REPORT_FILE = b"%PDF-1.4 report"


def schedule(world: World, party: Organisation | None = None, **changes) -> Inspection:
    values = {"party": party or world.contractor, "kind": Inspection.Kind.ON_SITE, "held_on": timezone.localdate(),
              "scope": SCOPE, "inspectors": [world.supervisor, world.auditor]}
    values.update(changes)
    return inspections.schedule(world.supervisor, world.contract, **values)


def item_of(inspection: Inspection, article: int, paragraph: int = 1, label: str = "") -> ChecklistItem:
    """The item of an obligation: a paragraph without items, or one enumerated item (ア, イ …) of it."""
    return inspection.items.get(article=article, paragraph=paragraph, label=label)


def upload(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, REPORT_FILE, "application/pdf")


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
