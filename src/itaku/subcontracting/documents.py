"""The written documents of article 8: 再委託承認申請書 (the request, written by the party passing work on)
and the authority's 承認通知 / 不承認通知 on one round of it. Rendered from `document_data`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register
from itaku.lib.era import dual_date

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _articles(numbers: list[int]) -> str:
    return "、".join(f"第{str(n).translate(_FULL_WIDTH_DIGITS)}" for n in numbers) or "第８"


def _items(renderer: DocumentRenderer, data: Mapping[str, Any]) -> list[Flowable]:
    """Items ア–キ of article 8-1, the personal information needed and the draft subcontract."""
    sub = data["subcontractor"]
    subcontractor = "\n".join([
        f"名称 Name: {sub['name']}",
        f"所在地 Address: {sub['address']}",
        f"代表者 Representative: {sub['representative']}",
        "申請者の子会社（会社法第2条第1項第3号） A subsidiary of the requesting party: "
        + ("該当 Yes" if sub["subsidiary"] else "非該当 No"),
    ])
    months = data["supervision_months"]
    frequency = f"頻度 Frequency: {months}か月に1回以上 at least every {months} month(s)"
    story: list[Flowable] = [
        renderer.heading("申請事項 Items of article 8-1"),
        renderer.field_list([
            ("ア 再委託する業務の内容\nWork to subcontract", data["work"]),
            ("イ 再委託の相手方\nSubcontractor", subcontractor),
            ("ウ 再委託の期間\nPeriod", f"{dual_date(data['start'])} – {dual_date(data['end'])}"),
            ("エ 再委託が必要な理由\nWhy it is necessary", data["necessity"]),
            ("オ 相手方に求める個人情報保護措置\nSafeguards required", data["safeguards"]),
            ("カ 相手方の監督方法\nSupervision", f"{data['supervision_method']}\n{frequency}"),
        ]),
        renderer.heading("キ その他委託者が必要と認める事項 Other items the authority requires"),
    ]
    if data["extra"]:
        story.append(renderer.field_list([(e["item"], e["answer"]) for e in data["extra"]]))
    else:
        story.append(renderer.paragraph("なし None"))
    story.append(renderer.heading("取り扱う個人情報 Personal information the subcontractor needs"))
    if data["data"]:
        story.append(renderer.table(
            [("個人情報ファイル Dataset", "項目 Fields"), *[(d["name"], "、".join(d["fields"])) for d in data["data"]]],
            col_widths=[FRAME_WIDTH * 0.4, FRAME_WIDTH * 0.6]))
    else:
        story.append(renderer.paragraph("個人情報ファイルの共有なし No dataset is shared"))
    draft = data["draft_subcontract"]
    story += [
        renderer.heading("再委託契約書（案） Draft subcontract"),
        renderer.field_list([("ファイル名 File", draft["filename"]), ("SHA-256", draft["sha256"])]) if draft
        else renderer.paragraph("添付なし Not attached"),
    ]
    return story


def _requester(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    requester = data["requester"]
    return [
        ("申請者 Requesting party", f"{requester['name']}（{requester['position_ja']} {requester['position_en']}）"),
        ("所在地 Address", requester["address"] or "—"),
        ("代表者 Representative", requester["representative"] or "—"),
        ("再委託の段階 Level", f"{data['level']['ja']} {data['level']['en']}"),
    ]


@register
class SubcontractingApplication(DocumentRenderer):
    """再委託承認申請書: the request as it stands, with the date and hash of the round that submitted it.

    data: see `document_data.application_data`.
    """

    kind = "subcontracting.application"
    title_ja = "再委託承認申請書"
    title_en = "Request for approval of subcontracting"

    def author(self) -> str:
        """The requesting party: the contractor, or a subcontractor asking for a further level."""
        return self.data["requester"]["name"]

    def story(self) -> list[Flowable]:
        data = self.data
        submitted = dual_date(data["submitted_on"]) if data["submitted_on"] else "未提出 Not submitted"
        fields = [
            ("申請番号 Request No.", str(data["request"])),
            *_requester(data),
            ("提出日 Submitted", submitted),
            ("提出者 Submitted by", data["submitted_by"] or "—"),
            ("提出回 Round", str(data["round"]) if data["round"] else "—"),
            ("状態 Status", f"{data['status_ja']} {data['status_en']}"),
            ("SHA-256", data["snapshot_sha256"] or "—"),
        ]
        if data["replaces"]:
            fields.insert(1, ("変更前の申請 Replaces request No.", str(data["replaces"])))
        consent = data["consent"]
        if consent:
            fields.append(("上位の受託者の同意 Consent of the party above",
                           f"{consent['by']} {consent['person']} {dual_date(consent['on'])}"))
        return [
            self.paragraph("特記事項第８の定めにより、次のとおり業務の再委託について承認を申請します。"
                           " Under article 8 of the special provisions we ask for approval to subcontract the work"
                           " described below."),
            self.field_list(fields),
            *_items(self, data),
        ]


class _Notice(DocumentRenderer):
    """承認通知 / 不承認通知 on one round of a request: the decision, its date, the items it holds for (the
    round's snapshot and its SHA-256) and, for a rejection, the reasons.

    data: see `document_data.notice_data`.
    """

    author_party = "authority"

    def story(self) -> list[Flowable]:
        data = self.data
        articles = _articles(data["articles"])
        requester = data["requester"]
        if data["approved"]:
            opening = (f"{dual_date(data['submitted_on'])}付けで申請のあった業務の再委託について、特記事項{articles}の"
                       "定めにより、次のとおり承認します。この承認は、下記の申請事項（SHA-256 で特定）のとおりの内容に"
                       "限り有効です。申請事項を変更するときは、改めて申請してください。"
                       " We approve the subcontracting requested below. The approval holds only for the items as"
                       " submitted (identified by the SHA-256); any change needs a new request.")
        else:
            opening = (f"{dual_date(data['submitted_on'])}付けで申請のあった業務の再委託について、特記事項{articles}の"
                       "定めにより、次の理由により承認しません。"
                       " We do not approve the subcontracting requested below, for the reasons stated.")
        story: list[Flowable] = [
            self.paragraph(f"{requester['name']} 様"),
            self.paragraph(opening),
            self.field_list([
                ("決定 Decision", "承認 Approved" if data["approved"] else "不承認 Not approved"),
                ("決定日 Decided on", dual_date(data["decided_on"])),
                ("決定者 Decided by", f"{data['authority']} {data['decided_by']}"),
                ("申請番号 Request No.", f"{data['request']}（第{data['round']}回 round {data['round']}）"),
                *_requester(data),
                ("申請事項の SHA-256\nSHA-256 of the items", data["snapshot_sha256"]),
            ]),
        ]
        if not data["approved"]:
            story.append(self.heading("不承認の理由 Reasons"))
            story += [self.paragraph(line) for line in data["comment"].splitlines() if line.strip()]
        elif data["comment"]:
            story.append(self.heading("付記 Remarks"))
            story += [self.paragraph(line) for line in data["comment"].splitlines() if line.strip()]
        story += _items(self, data)
        return story


@register
class ApprovalNotice(_Notice):
    kind = "subcontracting.approval"
    title_ja = "再委託承認通知書"
    title_en = "Notice of approval of subcontracting"


@register
class RejectionNotice(_Notice):
    kind = "subcontracting.rejection"
    title_ja = "再委託不承認通知書"
    title_en = "Notice of rejection of subcontracting"
