"""Written documents of a contract: one letterhead and one PDF response for every app's renderers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.documents.pdf import Letterhead
from itaku.documents.registry import render, renderer


def letterhead(contract: Contract, kind: str, on: dt.date | None = None) -> Letterhead:
    """The letterhead every document of this contract carries: parties, number, title, document title, date."""
    document = renderer(kind)
    return Letterhead(
        authority=contract.authority.name, contractor=contract.contractor.name,
        contract_number=contract.number, contract_title=contract.title,
        document_title_ja=document.title_ja, document_title_en=document.title_en,
        date=on or timezone.localdate(),
    )


def pdf_response(contract: Contract, kind: str, data: Mapping[str, Any], filename: str,
                 on: dt.date | None = None) -> HttpResponse:
    """Render `kind` for the contract and send it inline; the file name carries ids only, never names."""
    response = HttpResponse(render(kind, letterhead(contract, kind, on), data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
