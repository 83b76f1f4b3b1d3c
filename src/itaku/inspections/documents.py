"""The written document of article 16: 立入検査・調査結果報告書, the authority's record of one inspection.
Rendered from `document_data.report_data`."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register
from itaku.lib.era import dual_date

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _articles(numbers: list[int]) -> str:
    return "、".join(f"第{str(n).translate(_FULL_WIDTH_DIGITS)}" for n in numbers) or "第１６"


def _obligation(item: dict[str, Any]) -> str:
    """An enumerated item under its paragraph's lead text, which says what the item is an item of."""
    text = f"{item['label']}　{item['text']}" if item["label"] else item["text"]
    return f"{item['lead']}\n{text}" if item["lead"] else text


@register
class InspectionReport(DocumentRenderer):
    """立入検査・調査結果報告書: date, party inspected, inspectors, scope, every checklist item (an enumerated
    item under its paragraph's lead text) with its result and notes, the findings, the instructions given and
    the reports requested, with their answers."""

    kind = "inspections.report"
    title_ja = "立入検査・調査結果報告書"
    title_en = "Report of an inspection or investigation"
    author_party = "authority"

    def story(self) -> list[Flowable]:
        data = self.data
        role = "受託者 Contractor" if data["contractor"] else "再委託先 Subcontractor"
        story: list[Flowable] = [
            self.paragraph(f"特記事項{_articles(data['articles'])}の定めにより、個人情報の管理状況について次のとおり"
                           f"{data['kind_ja']}を実施しました。 Under the special provisions we carried out the "
                           f"{data['kind_en'].lower()} of the handling of personal information described below."),
            self.field_list([
                ("検査番号 Inspection No.", str(data["inspection"])),
                ("種別 Kind", f"{data['kind_ja']} {data['kind_en']}"),
                ("実施日 Date", dual_date(data["held_on"])),
                ("相手方 Party inspected", f"{data['party']}（{role}）"),
                ("検査員 Inspectors", "、".join(data["inspectors"])),
                ("範囲 Scope", data["scope"]),
                ("終了日 Closed on", dual_date(data["closed_on"]) if data["closed_on"] else "実施中 In progress"),
            ]),
        ]
        if data["summary"]:
            story += [self.heading("総評 Overall remarks"), self.paragraph(data["summary"])]
        story += [
            self.heading("チェックリスト Checklist"),
            self.table([("条項 Article", "義務 Obligation", "結果 Result", "所見 Notes"),
                        *[(f"{i['reference']}\n{i['heading']}", _obligation(i), f"{i['result_ja']}\n{i['result_en']}",
                           i["notes"] or "—") for i in data["items"]]],
                       col_widths=[FRAME_WIDTH * 0.15, FRAME_WIDTH * 0.42, FRAME_WIDTH * 0.16, FRAME_WIDTH * 0.27]),
            self.heading("指摘事項 Findings"),
        ]
        findings = [i for i in data["items"] if i["finding"]]
        story += [self.paragraph(f"{i['reference']} {i['heading']}: {i['notes']}", label="・") for i in findings] or [
            self.paragraph("なし None")]
        story.append(self.heading("指示 Instructions"))
        if data["instructions"]:
            story.append(self.table(
                [("対象 On", "指示 Instruction", "期限 Due", "回答 Answer", "状態 Status"),
                 *[(i["item"] or "—", i["text"], dual_date(i["due_on"]), i["answer"] or "—",
                    f"{i['status'][0]} {i['status'][1]}" + (f"\n{dual_date(i['closed_on'])}" if i["closed_on"] else ""))
                   for i in data["instructions"]]],
                col_widths=[FRAME_WIDTH * 0.1, FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.18, FRAME_WIDTH * 0.26,
                            FRAME_WIDTH * 0.16]))
        else:
            story.append(self.paragraph("なし None"))
        story.append(self.heading("求めた報告 Reports requested"))
        if data["reports"]:
            story.append(self.table(
                [("報告事項 Report on", "期限 Due", "報告 Report", "状態 Status"),
                 *[(r["question"], dual_date(r["due_on"]),
                    (r["answer"] or "—") + (f"\n{r['attachment']['filename']}" if r["attachment"] else ""),
                    f"{r['status'][0]} {r['status'][1]}"
                    + (f"\n{dual_date(r['delivered_on'])}" if r["delivered_on"] else ""))
                   for r in data["reports"]]],
                col_widths=[FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.2, FRAME_WIDTH * 0.32, FRAME_WIDTH * 0.18]))
        else:
            story.append(self.paragraph("なし None"))
        return story
