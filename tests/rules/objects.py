"""The objects the rules URLs name, inside the world's contract (for tests/test_access.py)."""

from __future__ import annotations

import datetime as dt

from itaku.rules import services
from itaku.rules.models import RulesVersion
from tests.rules.files import pdf_bytes, upload


def url_params(world) -> dict[str, int]:
    """A rules version of the world's contract; asked for once per URL, so made once and then reused."""
    version = RulesVersion.objects.filter(contract=world.contract).order_by("number").first()
    if version is None:
        version = services.upload_version(
            world.responsible, world.contract, title="個人情報保護規程", document_date=dt.date(2025, 4, 1),
            upload=upload("rules.pdf", pdf_bytes()),
        )
    return {"version": version.pk}
