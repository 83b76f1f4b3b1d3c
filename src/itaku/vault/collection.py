"""Articles 6, 7 and 11 around the records: the purpose notice shown when collecting, and the handover
(授受) of entrusted data; with the control that every record has one or the other."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum

from itaku.contracts.models import Contract
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.vault.models import Dataset, Handover, PurposeNotice, Record


def publish_notice(by: Any, dataset: Dataset, text: str) -> PurposeNotice:
    """A new version of the purpose notice (利用目的の明示); records collected later link to it."""
    if dataset.source != Dataset.Source.COLLECTED:
        raise UserError("委託者から受領したデータには利用目的の明示は不要です。",
                        "Entrusted data has no purpose notice of the contractor's.")
    if not text.strip():
        raise UserError("明示する利用目的の文面を入力してください。", "Enter the text of the notice.")
    with transaction.atomic():
        version = (PurposeNotice.objects.select_for_update().filter(dataset=dataset)
                   .aggregate(n=Max("version"))["n"] or 0) + 1
        notice = PurposeNotice.objects.create(dataset=dataset, version=version, text=text.strip(),
                                              sha256=hashlib.sha256(text.strip().encode()).hexdigest())
        record("vault.notice_published", chain=dataset.contract.ledger_chain, actor=by,
               articles=dataset.contract.articles_for("purpose_notice"),
               facts={"dataset": dataset.pk, "notice": notice.pk, "version": version, "sha256": notice.sha256})
        return notice


def record_handover(
    by: Any, dataset: Dataset, *, received_on: dt.date, received_from: str, medium: str, count: int,
) -> Handover:
    """授受: entrusted data received from the authority, recorded by the contractor (article 11)."""
    if dataset.source != Dataset.Source.ENTRUSTED:
        raise UserError("収集したデータの授受は記録できません。", "Only entrusted data is handed over.")
    if by.organisation_id != dataset.contract.contractor_id:
        raise UserError("授受は受託者が記録します。", "The contractor records the handover.")
    if count < 1 or not received_from.strip() or not medium.strip():
        raise UserError("受領元・媒体・件数を入力してください。", "Enter who handed it over, the medium and the count.")
    with transaction.atomic():
        handover = Handover.objects.create(dataset=dataset, received_on=received_on,
                                           received_from=received_from.strip(), medium=medium.strip(), count=count,
                                           recorded_by=by)
        record("vault.handover_recorded", chain=dataset.contract.ledger_chain, actor=by,
               articles=dataset.contract.articles_for("custody"),
               facts={"dataset": dataset.pk, "handover": handover.pk, "count": count,
                      "received_on": received_on.isoformat()})
        return handover


@control("vault.records_accounted", topics=["collection", "purpose_notice", "custody"],
         title_ja="収集時の利用目的の明示・授受の記録", title_en="Every record collected with a notice or handed over")
def records_accounted(contract: Contract) -> Iterator[Finding]:
    for dataset in Dataset.objects.filter(contract=contract, status=Dataset.Status.ACTIVE):
        records = Record.objects.filter(dataset=dataset)
        if dataset.source == Dataset.Source.COLLECTED:
            unnoticed = records.filter(notice__isnull=True).count()
            if unnoticed:
                yield Finding(State.VIOLATION,
                              f"「{dataset.name}」に利用目的の明示と結び付かない記録が{unnoticed}件あります（第7）。",
                              f"{unnoticed} records of “{dataset.name}” are not linked to a purpose notice.",
                              (Evidence.object(dataset),))
            continue
        held = records.count()
        handed = Handover.objects.filter(dataset=dataset).aggregate(n=Sum("count"))["n"] or 0
        if held and handed == 0:
            yield Finding(State.VIOLATION, f"「{dataset.name}」の授受が記録されていません（第11）。",
                          f"No handover is recorded for “{dataset.name}”.", (Evidence.object(dataset),))
        elif held > handed:
            yield Finding(State.MISSING, f"「{dataset.name}」の記録{held}件に対し、授受の記録は{handed}件です。",
                          f"“{dataset.name}” holds {held} records; handovers account for {handed}.",
                          (Evidence.object(dataset),))
