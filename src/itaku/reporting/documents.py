"""個人情報取扱状況報告書 (article 17), rendered from `document_data.periodic_data`."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register
from itaku.lib.era import dual_date


@register
class PeriodicReportDocument(DocumentRenderer):
    """The contractor's report on the handling of personal information for one period."""

    kind = "reporting.periodic"
    title_ja = "個人情報取扱状況報告書"
    title_en = "Report on the handling of personal information"

    def story(self) -> list[Flowable]:
        data = self.data
        figures = data["figures"]
        head = figures["ledger_head"]
        people = figures["people"]
        story: list[Flowable] = [
            self.field_list([
                ("報告期間 Period", f"{data['period_ja']}（{data['period']}） "
                                   f"{dual_date(data['from'])} – {dual_date(data['to'])}"),
                ("提出期限 Due", dual_date(data["due_on"])),
                ("状態 Status", f"{data['status_ja']} {data['status_en']}"),
                ("提出日 Submitted", dual_date(data["submitted_on"]) if data["submitted_on"] else "—"),
                ("提出者 Submitted by", data["submitted_by"] or "—"),
                ("提出回 Round", str(data["round"]) if data["round"] else "—"),
                ("SHA-256", data["snapshot_sha256"] or "—"),
            ]),
            self.heading("体制及び研修 Structure and training"),
            self.field_list([
                ("体制の人数 People in the structure", f"{people['in_structure']}名"),
                ("離任者 Former workers", f"{people['former']}名"),
                ("研修対象者 To be trained", f"{people['to_train']}名"),
                ("研修未了 Not trained", f"{people['untrained']}名"),
            ]),
        ]
        for section in figures["sections"]:
            story.append(self.heading(f"{section['title_ja']} {section['title_en']}（{section['total']}件）"))
            if section["rows"]:
                story.append(self.table(
                    [("記録 Event", "件数 Count"),
                     *[(f"{r['label_ja']} {r['kind']}".strip(), f"{r['count']:,}") for r in section["rows"]]],
                    col_widths=[FRAME_WIDTH * 0.75, FRAME_WIDTH * 0.25]))
            else:
                story.append(self.paragraph("該当なし None"))
        story.append(self.heading("利用目的別のアクセス Accesses by purpose"))
        if figures["accesses"]:
            story.append(self.table(
                [("個人情報ファイル Dataset", "利用目的 Purpose", "検索 Searches", "閲覧 Views"),
                 *[(a["dataset"], a["title"], f"{a['searched']:,}", f"{a['viewed']:,}") for a in figures["accesses"]]],
                col_widths=[FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.4, FRAME_WIDTH * 0.15, FRAME_WIDTH * 0.15]))
        else:
            story.append(self.paragraph("該当なし None"))
        story.append(self.heading("未解決の指摘 Open findings"))
        if figures["open_findings"]:
            story.append(self.table(
                [("統制 Control", "状態 State", "件数 Findings"),
                 *[(f"{f['title_ja']} {f['title_en']}", f"{f['state_ja']} {f['state_en']}", str(f["findings"]))
                   for f in figures["open_findings"]]],
                col_widths=[FRAME_WIDTH * 0.6, FRAME_WIDTH * 0.25, FRAME_WIDTH * 0.15]))
        else:
            story.append(self.paragraph("なし None"))
        story += [
            self.heading("台帳 Ledger"),
            self.field_list([
                ("期間中の記録 Events in the period", f"{figures['events']:,}件"),
                ("期間末の記録番号 Head at the end of the period", str(head["seq"])),
                ("期間末のハッシュ Head hash", head["hash"] or "—"),
            ]),
            self.heading("受託者の所見 Remarks of the contractor"),
            self.paragraph(data["remarks"] or "なし None"),
        ]
        return story
