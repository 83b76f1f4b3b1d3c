"""Shared steps of the rules tests: upload a version, submit it, decide on it."""

from __future__ import annotations

import datetime as dt

from itaku.rules import services
from itaku.rules.models import RulesVersion
from tests.base import ContractTestCase
from tests.rules.files import pdf_bytes, upload


class RulesTestCase(ContractTestCase):
    def new_version(self, text: str = "rules", *, title: str = "個人情報保護規程",
                    document_date: dt.date = dt.date(2025, 4, 1)) -> RulesVersion:
        return services.upload_version(
            self.world.responsible, self.contract, title=title, document_date=document_date,
            upload=upload("rules.pdf", pdf_bytes(text)),
        )

    def submit(self, version: RulesVersion):
        return services.submit_version(self.world.responsible, version)

    def acknowledge(self, version: RulesVersion):
        return services.decide_version(self.world.supervisor, version, acknowledge=True)

    def give_back(self, version: RulesVersion, comment: str = "第3条の記載が不足しています。"):
        return services.decide_version(self.world.supervisor, version, acknowledge=False, comment=comment)
