"""Controls for article 5 (社内規程の提出): rules acknowledged, and every change submitted in time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.ledger.models import Event
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.rules.services import KIND, current_state


def _event(contract: Contract, kind: str, **facts: Any) -> tuple[Evidence, ...]:
    found = Event.objects.filter(chain=contract.ledger_chain, kind=kind, **{f"facts__{k}": v for k, v in facts.items()})
    event = found.order_by("-seq").first()
    return (Evidence.event(event),) if event else ()


def _day(moment: dt.datetime) -> str:
    return f"{timezone.localdate(moment):%Y-%m-%d}"


def findings(contract: Contract, today: dt.date) -> Iterator[Finding]:
    """The findings on the contractor's rules as of `today` (a parameter, so tests can move the clock)."""
    state = current_state(contract)
    if state["newest"] is None:
        yield Finding(State.MISSING, "受託者の社内規程（個人情報保護に関する規程）が提出されていません。",
                      "The contractor's internal privacy rules have not been submitted.")
        return
    acknowledged, pending = state["acknowledged"], state["pending"]
    if acknowledged is not None:
        decision = state["acknowledged_submission"]
        yield Finding(
            State.OK, f"第{acknowledged.number}版が{_day(decision.decided_at)}に受理されています。",
            f"Version {acknowledged.number} was acknowledged on {_day(decision.decided_at)}.",
            _event(contract, f"{KIND}.acknowledged", submission=decision.pk),
        )
    elif pending is None:
        yield Finding(State.MISSING, "受理された社内規程がありません。", "No internal rules have been acknowledged.")
    if pending is not None:
        submission = state["pending_submission"]
        yield Finding(
            State.MISSING,
            f"第{pending.number}版を{_day(submission.submitted_at)}に提出済みで、委託者の受理待ちです。",
            f"Version {pending.number} was submitted on {_day(submission.submitted_at)} and is pending "
            "acknowledgement by the authority.",
            _event(contract, f"{KIND}.submitted", submission=submission.pk),
        )
    if state["returned"] is not None:
        returned, submission = state["returned"], state["returned_submission"]
        yield Finding(
            State.MISSING,
            f"第{returned.number}版は{_day(submission.decided_at)}に差し戻されました。修正した版を提出してください。",
            f"Version {returned.number} was returned on {_day(submission.decided_at)}; submit a revised version.",
            _event(contract, f"{KIND}.{submission.status}", submission=submission.pk),
        )
    if state["void"] is not None:
        void, submission = state["void"], state["void_submission"]
        yield Finding(
            State.VIOLATION,
            f"第{void.number}版は提出後に内容（ファイル・日付・名称）が変更されており、その提出と受理は無効です。",
            f"Version {void.number} changed (file, date or title) after it was submitted; its submission and any "
            "acknowledgement are void.",
            (Evidence.object(void), *_event(contract, f"{KIND}.submitted", submission=submission.pk)),
        )
    if state["unsubmitted"] is not None:
        newest, deadline = state["unsubmitted"], state["deadline"]
        evidence = _event(contract, "rules.version_uploaded", version=newest.pk)
        if today > deadline:
            yield Finding(
                State.VIOLATION,
                f"{_day(state['unsubmitted_since'])}に登録された規程の変更（第{newest.number}版まで）が、"
                f"期限の{deadline:%Y-%m-%d}までに提出されていません。",
                f"A change of the rules uploaded on {_day(state['unsubmitted_since'])} (up to version "
                f"{newest.number}) was not submitted by the deadline, {deadline:%Y-%m-%d}.",
                evidence,
            )
        else:
            yield Finding(
                State.DUE_SOON,
                f"第{newest.number}版が未提出です。{deadline:%Y-%m-%d}までに提出してください。",
                f"Version {newest.number} has not been submitted; submit it by {deadline:%Y-%m-%d}.",
                evidence,
            )


@control("rules.submitted", topics=["internal_rules"],
         title_ja="社内規程の提出と受理", title_en="Internal rules submitted and acknowledged")
def rules_submitted(contract: Contract) -> Iterator[Finding]:
    return findings(contract, timezone.localdate())
