"""Controls for article 3 (教育の実施): the responsible person and every worker hold valid training."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.ledger.services import handling_events, last_event
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.training import services
from itaku.training.models import Completion


@control("training.completed", topics=["training"],
         title_ja="責任者・業務従事者の研修修了", title_en="Training of the responsible person and workers")
def training_completed(contract: Contract) -> Iterator[Finding]:
    """Untrained and handled data: violation; untrained otherwise: missing; running out within 30 days: due soon."""
    now = timezone.now()
    people = services.people_to_train(contract)
    if not people:
        return
    statuses = services.status(contract, people, now)
    lacking = False
    for entry in statuses:
        if not entry.missing:
            continue
        lacking = True
        ja, en = services.topic_labels(entry.missing)
        since = services.untrained_since(entry.person, contract, now)
        handled = None
        if since is not None:
            events = handling_events(contract.ledger_chain, entry.person.pk)
            if since != dt.date.min:
                events = events.filter(time__date__gte=since)
            handled = events.order_by("-seq").first()
        if handled is not None:
            yield Finding(State.VIOLATION,
                          f"{entry.person} は有効な研修（{ja}）を修了しないまま個人情報を取り扱いました。",
                          f"{entry.person} handled personal data without valid training ({en}).",
                          (Evidence.event(handled),))
        elif since not in (None, dt.date.min):
            yield Finding(State.OVERDUE,
                          f"{entry.person} の研修（{ja}）の有効期限が切れています（{since:%Y-%m-%d}から）。",
                          f"{entry.person}'s training ({en}) lapsed on {since:%Y-%m-%d}; a refresher is overdue.")
        else:
            yield Finding(State.MISSING, f"{entry.person} の有効な研修の修了記録がありません（{ja}）。",
                          f"No valid training completion for {entry.person} ({en}).")
    soonest: dict[int, tuple] = {}
    for person, code, until in services.due_soon(contract, people, at=now):
        soonest.setdefault(person.pk, (person, code, until))
    for entry in statuses:
        if entry.person.pk not in soonest:
            continue
        person, code, until = soonest[entry.person.pk]
        completion = Completion.objects.get(pk=entry.covers[code].completion)
        yield Finding(State.DUE_SOON, f"{person} の研修の有効期限が{until:%Y-%m-%d}に切れます。再受講が必要です。",
                      f"{person}'s training runs out on {until:%Y-%m-%d}; a refresher is due.",
                      (Evidence.object(completion, "training.completion"),))
    if lacking or soonest:
        return
    event = last_event(contract.ledger_chain, "training.completion_recorded", "training.imported")
    yield Finding(State.OK, f"責任者・業務従事者の全員（{len(people)}名）が有効な研修を修了しています。",
                  f"All {len(people)} responsible person and workers hold valid training.",
                  (Evidence.event(event),) if event else ())
