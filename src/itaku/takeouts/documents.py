"""The take-out register (持出管理簿, article 14) as a PDF, besides its XLSX: every take-out with who took what
where, who approved it, and when it came back and who checked it; a corrected time is marked on its line and
every correction listed with the time first recorded and the reason."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register

CORRECTED = "（訂正）"


@register
class TakeOutRegister(DocumentRenderer):
    """持出管理簿.

    data: articles (the contract's article numbers on take-outs), party ("" for every party),
    destinations (name, kind, permitted_from, retired_at), entries (number, party, out, out_corrected, carrier,
    approver, items, medium, count, purpose, origin, destination, transport, back_by, back, back_corrected,
    checked_by, status), corrections (number, time, old, new, reason, corrected_by, corrected_at); dates
    already written as era + ISO with the time.
    """

    kind = "takeouts.register"
    title_ja = "持出管理簿"
    title_en = "Take-out register"

    def story(self) -> list[Flowable]:
        data = self.data
        articles = "、".join(f"第{n}" for n in data["articles"]) or "持出しの禁止"
        story: list[Flowable] = [self.paragraph(
            f"特記事項{articles}により、委託者が許可又は指定した場所への個人情報の持出しを次のとおり記録します。"
            " The take-outs of personal information to places the authority permits or designates, as recorded"
            " under the special provisions.")]
        if data["party"]:
            story.append(self.paragraph(f"当事者 Party: {data['party']}"))
        story.append(self.heading("許可・指定された持出先 Permitted destinations"))
        rows = [["持出先 Destination", "種別 Kind", "許可 Permitted from", "取消 Retired"]]
        rows += [[d["name"], d["kind"], d["permitted_from"], d["retired_at"] or "—"] for d in data["destinations"]]
        story.append(self.table(rows, [FRAME_WIDTH * s for s in (0.34, 0.18, 0.24, 0.24)]))
        story.append(self.heading("持出しの記録 Take-outs"))
        if not data["entries"]:
            story.append(self.paragraph("記録された持出しはありません。 No take-out is recorded."))
            return story
        rows = [["番号\nNo.", "持出日時・持出者・承認者\nOut, carrier, approver",
                 "持出物・媒体・数量・目的\nItems, medium, count, purpose",
                 "持出元・持出先・運搬方法\nFrom, to, transport",
                 "返却予定・返却日時・確認者\nDue, back, checked by", "状態\nStatus"]]
        for e in data["entries"]:
            out = (e["out"] or "（未持出）") + (CORRECTED if e["out_corrected"] else "")
            back = (e["back"] or "（未返却）") + (CORRECTED if e["back_corrected"] else "")
            rows.append([
                e["number"], f"{out}\n{e['carrier']}\n承認: {e['approver'] or '—'}",
                f"{e['items']}\n{e['medium']} {e['count']}点\n{e['purpose']}",
                f"{e['origin']}\n→ {e['destination']}\n{e['transport']}",
                f"予定: {e['back_by']}\n{back}\n{e['checked_by'] or ''}", e["status"],
            ])
        story.append(self.table(rows, [FRAME_WIDTH * s for s in (0.1, 0.2, 0.21, 0.21, 0.18, 0.1)]))
        if data["corrections"]:
            story.append(self.heading("日時の訂正 Corrections of recorded times"))
            rows = [["番号\nNo.", "訂正した日時\nTime", "訂正前 → 訂正後\nRecorded → corrected", "理由\nReason",
                     "訂正者・訂正日時\nCorrected by, at"]]
            rows += [[c["number"], c["time"], f"{c['old']}\n→ {c['new']}", c["reason"],
                      f"{c['corrected_by']}\n{c['corrected_at']}"] for c in data["corrections"]]
            story.append(self.table(rows, [FRAME_WIDTH * s for s in (0.1, 0.12, 0.3, 0.26, 0.22)]))
        return story
