"""The violations register (違反等記録簿, article 20) as a PDF: every violation with its evidence and the
authority's decision; the evidence package holds it beside the register's JSON and CSV."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register

_DECISIONS = {"instruction": "指示 Instruction", "termination": "契約の解除 Termination",
              "damages": "損害賠償の請求 Claim for damages", "dismissed": "不問 Dismissed"}


@register
class ViolationsRegister(DocumentRenderer):
    """違反等記録簿. data: articles (the contract's article numbers on termination and damages), rows (as
    `services.register_rows`: id, control, articles, message_ja/en, evidence, recorded_at, cleared_at,
    decision, decision_reason, decided_at)."""

    kind = "violations.register"
    title_ja = "違反等記録簿"
    title_en = "Violations register"
    author_party = "authority"

    def story(self) -> list[Flowable]:
        data = self.data
        articles = "、".join(f"第{n}" for n in data["articles"]) or "契約の解除・損害賠償"
        story: list[Flowable] = [self.paragraph(
            f"特記事項{articles}に基づき、統制が検出した違反と委託者の判断を次のとおり記録します。"
            " The violations the controls found, and the authority's decision on each, under the special"
            " provisions.")]
        if not data["rows"]:
            story.append(self.paragraph("記録された違反はありません。 No violation is recorded."))
            return story
        rows = [["番号\nNo.", "統制・条項\nControl, articles", "内容\nFinding", "証跡\nEvidence",
                 "登録・解消\nRecorded, cleared", "判断\nDecision"]]
        for r in data["rows"]:
            decision = _DECISIONS.get(r["decision"] or "", "判断待ち Awaiting decision")
            rows.append([
                str(r["id"]), f"{r['control']}\n" + "、".join(f"第{a}" for a in r["articles"]),
                f"{r['message_ja']}\n{r['message_en']}", "\n".join(r["evidence"]) or "—",
                f"{r['recorded_at']}\n{r['cleared_at'] or '—'}",
                f"{decision}\n{r['decided_at'] or ''}\n{r['decision_reason']}",
            ])
        story.append(self.table(rows, [FRAME_WIDTH * s for s in (0.07, 0.17, 0.3, 0.16, 0.14, 0.16)]))
        return story
