"""URL parameters of the inspection pages: an inspection of the contractor with a finding, an instruction
on it and a report delivered with a file."""

from __future__ import annotations

from itaku.inspections import services as inspections
from tests.base import World
from tests.inspections.support import in_days, item_of, schedule, upload


def url_params(world: World) -> dict[str, int]:
    inspection = schedule(world)
    item = item_of(inspection, 16)
    inspections.record_item(world.auditor, world.contract, item, result="finding", notes="入退室記録に記入漏れ。")
    instruction = inspections.issue_instruction(world.supervisor, world.contract, inspection,
                                                text="入退室記録を整備すること。", due_on=in_days(14), item=item)
    report = inspections.request_report(world.supervisor, world.contract, inspection,
                                        question="是正の状況を報告すること。", due_on=in_days(14))
    inspections.deliver_report(world.responsible, world.contract, report, answer="記録簿を改訂した。",
                               attachment=upload())
    report.refresh_from_db()
    return {"inspection": inspection.pk, "item": item.pk, "report": report.pk, "instruction": instruction.pk,
            "attachment": report.attachment_id}
