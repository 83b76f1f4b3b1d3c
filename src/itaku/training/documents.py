"""研修受講記録一覧 (training completions): who completed which course when, and until when it counts.

Rendered from the plain data of `services.completions_document`; dates are ISO strings there and are
printed here in the era calendar with the ISO date.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register
from itaku.lib.era import dual_date
from itaku.training.models import TOPICS

_LABEL_JA = {code: ja for code, ja, _ in TOPICS}


def _date(iso: str | None) -> str:
    return dual_date(dt.date.fromisoformat(iso)) if iso else "—"


def _topics(codes: list[str]) -> str:
    return "、".join(_LABEL_JA[c] for c in codes) or "—"


@register
class TrainingCompletions(DocumentRenderer):
    """data: as_of, organisation (the party's name, or None for every party), validity_months, required_topics
    (codes), completions (person, username, course, topics, completed_on, passed, valid_until, corrected,
    corrects, id), people (person, username, missing, valid_until)."""

    kind = "training.completions"
    title_ja = "研修受講記録一覧"
    title_en = "Training completions"

    def story(self) -> list[Flowable]:
        data = self.data
        party = [("組織 Organisation", data["organisation"])] if data.get("organisation") else []
        story: list[Flowable] = [
            self.field_list([
                *party,
                ("基準日 As of", _date(data["as_of"])),
                ("有効期間 Validity", f"受講日から{data['validity_months']}か月 {data['validity_months']} months"),
                ("必須の分野 Required topics", _topics(data["required_topics"])),
            ]),
            self.heading("受講記録 Completions"),
        ]
        if data["completions"]:
            rows = [["受講者 Person", "講座 Course", "分野 Topics", "受講日 Date", "結果 Result",
                     "有効期限 Valid until"]]
            for c in data["completions"]:
                result = "修了 Passed" if c["passed"] else "未修了 Not passed"
                if c["corrected"]:
                    result += "（訂正済 corrected）"
                rows.append([f"{c['person']}\n({c['username']})", c["course"], _topics(c["topics"]),
                             _date(c["completed_on"]), result, _date(c["valid_until"])])
            story.append(self.table(rows, [30 * mm, 32 * mm, 30 * mm, 29 * mm, 24 * mm, FRAME_WIDTH - 145 * mm]))
        else:
            story.append(self.paragraph("（記録なし） No completions recorded"))
        story.append(self.heading("責任者・業務従事者の受講状況 Status of the responsible person and workers"))
        if data["people"]:
            rows = [["受講者 Person", "状況 Status", "有効期限 Valid until"]]
            for p in data["people"]:
                state = (f"未受講 Missing: {_topics(p['missing'])}" if p["missing"] else "受講済 Trained")
                rows.append([f"{p['person']}\n({p['username']})", state, _date(p["valid_until"])])
            story.append(self.table(rows, [40 * mm, FRAME_WIDTH - 80 * mm, 40 * mm]))
        else:
            story.append(self.paragraph("（対象者なし） Nobody to train"))
        return story
