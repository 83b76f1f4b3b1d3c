"""事故報告書 (article 18): the contractor's written report with the items the Personal Information Protection
Commission asks for (nine), the authority's assessment and deadlines. Rendered from `services.report_data`."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import DocumentRenderer
from itaku.documents.registry import register
from itaku.lib.era import dual_date


def _date(day) -> str:
    return dual_date(day) if day else "—"


def _yes(flag: bool) -> str:
    return "あり Yes" if flag else "なし No"


@register
class IncidentReport(DocumentRenderer):
    """The report as it stands, with the round that submitted it and its SHA-256."""

    kind = "incidents.report"
    title_ja = "個人情報漏えい等事故報告書"
    title_en = "Report of a personal information incident"

    def story(self) -> list[Flowable]:
        d = self.data
        kind = "事故発生のおそれ Suspected incident" if d["kind"] == "suspected" else "事故の発生 Incident"
        source = "金庫の利用上限による自動通知 Raised by the vault's limits" if d["source"] == "vault" \
            else "受託者側からの通知 Notified by the contractor's side"
        recurrence = f"実施済み Done: {d['recurrence_done'] or '—'}\n予定 Planned: {d['recurrence_planned'] or '—'}"
        categories = "、".join(d["ordinance_categories"]) or "—"
        data_kind = "\n".join([
            f"項目 Items: {d['data_items'] or '—'}",
            f"媒体 Media: {d['media'] or '—'}",
            f"要配慮個人情報 Special-care: {_yes(d['special_care'])}",
            f"条例要配慮個人情報 The authority's categories: {categories}",
            f"特定個人情報（マイナンバー） My Number data: {_yes(d['my_number'])}",
            f"高度な暗号化（鍵の漏えいなし） Strongly encrypted: {_yes(d['encrypted'])}",
        ])
        triggers = "、".join(f"{ja} {en}" for ja, en in d["triggers"]) or "該当なし None"
        summary = "\n".join([
            f"発生日 Occurred: {_date(d['occurred_on'])}",
            f"発覚日 Found: {_date(d['found_on'])}（発見者 Found by: {d['found_by'] or '—'}）",
            f"委託者が知った日 Known to the authority: {_date(d['known_on'])}",
            f"報告対象事態 Trigger: {triggers}",
            f"委託先の関与 Contractor involved: あり Yes（{d['party']}）",
            f"経緯 What happened: {d['what_happened'] or d['summary']}",
        ])
        harm = d["secondary_harm"] or "—"
        if d["financial_harm"]:
            harm = f"財産的被害のおそれ Risk of financial harm\n{harm}"
        cause = d["cause"] or "—"
        if d["unlawful_purpose_label"]:
            cause = f"{cause}\n不正の目的 Unlawful purpose: {d['unlawful_purpose_label']}"
        informed = (f"{_date(d['people_informed_on'])} {d['people_informed_how']}" if d["people_informed_on"]
                    else "未通知 Not yet informed")
        dl = d["deadlines"]
        statutory = [
            ("報告の要否 Report to the PPC", "要 Required" if d["required"] else
             ("不要（高度な暗号化） Not required (strongly encrypted)" if d["exempt"] else "不要 Not required")),
            ("速報の目安 Preliminary report target",
             f"{_date(dl.preliminary_target)}（遅くとも {_date(dl.preliminary_late_after)}）"),
            ("速報 Preliminary report made", _date(d["ppc_preliminary_on"])),
            ("確報の期限 Final report due", _date(dl.final_due)),
            ("確報 Final report made", _date(d["ppc_final_on"])),
        ]
        story: list[Flowable] = [
            self.paragraph("特記事項第１８の定めにより、次のとおり事故の状況を報告します。"
                           " Under article 18 of the special provisions we report the incident as follows."),
            self.field_list([
                ("事故番号 Incident No.", d["code"]),
                ("区分 Kind", kind),
                ("通知 Notified", f"{d['noticed_at']:%Y-%m-%d %H:%M} {source}"),
                ("報告者 Reporting party", d["party"]),
                ("提出回 Round", str(d["report_round"]) if d["report_round"] else "未提出 Not submitted"),
                ("SHA-256", d["report_sha256"] or "—"),
            ]),
            self.heading("個人情報保護委員会への報告事項 Items of the report to the PPC"),
            self.field_list([
                ("1 概要 Summary", summary),
                ("2 漏えい等が発生し、又は発生したおそれがある個人情報の項目 Data items", data_kind),
                ("3 本人の数 Number of people", str(d["people_count"]) if d["people_count"] is not None else "—"),
                ("4 原因 Cause", cause),
                ("5 二次被害又はそのおそれの有無及びその内容 Secondary harm", harm),
                ("6 本人への対応の実施状況 Response to the people affected", informed),
                ("7 公表の実施状況 Publication",
                 _date(d["published_on"]) if d["published_on"] else "未公表 Not published"),
                ("8 再発防止のための措置 Measures against recurrence", recurrence),
                ("9 その他参考となる事項 Other",
                 f"{d['other'] or '—'}\n封じ込め Containment: {d['containment'] or '—'}"),
            ]),
            self.heading("委託者の判断と期限 The authority's assessment and deadlines"),
            self.field_list(statutory),
        ]
        if d["instructions"]:
            story.append(self.heading("委託者の指示と回答 Instructions and answers"))
            story.append(self.field_list([
                (f"指示 Instruction {i['number']}（期限 {_date(i['due_on'])}）",
                 f"{i['text']}\n回答 Answer: {i['answer'] or '—'}"
                 + ("（確認済み Acknowledged）" if i["answered"] else ""))
                for i in d["instructions"]]))
        if d["closed_on"]:
            story.append(self.paragraph(f"終結日 Closed: {_date(d['closed_on'])}"))
        return story


@register
class PublicationNotice(DocumentRenderer):
    """公表文 (article 19): the authority's public summary as published, for its records and the press.
    data: code, title, summary, published_on, incident_kind_ja."""

    kind = "incidents.publication"
    title_ja = "個人情報の取扱いに係る事故の公表"
    title_en = "Publication of a personal information incident"
    author_party = "authority"

    def story(self) -> list[Flowable]:
        d = self.data
        return [
            self.field_list([("公表日 Published", _date(d["published_on"])), ("事故番号 Incident", d["code"]),
                             ("種別 Kind", d["incident_kind_ja"]), ("表題 Title", d["title"])]),
            self.heading("概要 Summary"),
            self.paragraph(d["summary"]),
        ]
