"""Article 20's control: the authority decides on every violation in the register, and an instruction is
followed (the violation no longer found) within its time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.violations.models import Decision, Violation

INSTRUCTION_DAYS = 30


@control("violations.decided", topics=["termination"],
         title_ja="違反への委託者の判断と指示の履行", title_en="Every violation decided; instructions followed")
def decided(contract: Contract) -> Iterator[Finding]:
    now = timezone.now()
    rows = list(Violation.objects.filter(contract=contract).prefetch_related("decisions"))
    for violation in rows:
        decision = violation.decision
        if decision is None:
            yield Finding(State.MISSING, f"違反（{violation.message_ja}）について委託者の判断が記録されていません。",
                          f"No decision of the authority on the violation ({violation.message_en}).",
                          (Evidence.object(violation),))
        elif decision.kind == Decision.Kind.INSTRUCTION and violation.cleared_at is None and \
                now - decision.decided_at > dt.timedelta(days=INSTRUCTION_DAYS):
            yield Finding(State.OVERDUE,
                          f"{INSTRUCTION_DAYS}日を過ぎても指示が履行されていません（{violation.message_ja}）。",
                          f"The instruction has not been followed after {INSTRUCTION_DAYS} days "
                          f"({violation.message_en}).", (Evidence.object(violation), Evidence.object(decision)))
    if rows and all(v.decision is not None for v in rows):
        yield Finding(State.OK, f"登録簿の違反 {len(rows)} 件すべてに委託者の判断があります。",
                      f"All {len(rows)} violations in the register have the authority's decision.")
