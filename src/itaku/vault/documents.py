"""The disposal report (廃棄報告書, article 13-2): what was disposed of, on what, how much, when, how, where
and by whom, and the authority's instruction it answers."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import DocumentRenderer
from itaku.documents.registry import register

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@register
class DisposalReport(DocumentRenderer):
    """廃棄報告書: one disposal record.

    data: articles (the contract's article numbers on disposal), disposal, dataset ("" for paper or media),
    instruction (number, date, by, organisation, note), items, medium, records, files, disposed_at, method,
    place, person_in_charge, reported_by, reporter_organisation, deletion ("" for paper or media); dates
    already written as era + ISO with the time.
    """

    kind = "vault.disposal_report"
    title_ja = "廃棄報告書"
    title_en = "Disposal report"

    def story(self) -> list[Flowable]:
        data = self.data
        articles = "、".join(f"第{str(n).translate(_FULL_WIDTH_DIGITS)}" for n in data["articles"]) or "廃棄"
        instruction = data["instruction"]
        fields = [
            ("情報項目 Information items", "、".join(data["items"])),
            ("媒体名 Medium", data["medium"]),
            ("数量 Quantity", f"記録 {data['records']:,} 件、ファイル・媒体 {data['files']:,} 点"
                              f" / {_count(data['records'], 'record')}, {_count(data['files'], 'file')}"),
            ("廃棄日時 Date and time", data["disposed_at"]),
            ("廃棄方法 Method", data["method"]),
            ("廃棄場所 Place", data["place"]),
            ("廃棄担当者 Person in charge", data["person_in_charge"]),
        ]
        if data["dataset"]:
            fields.insert(0, ("個人情報ファイル\nDataset", data["dataset"]))
        story: list[Flowable] = [
            self.paragraph(
                f"特記事項{articles}の定めにより、委託者の指示に基づき個人情報を廃棄しましたので、次のとおり報告します。"
                " As instructed by the authority, we have disposed of the personal information below and report it"
                " in writing under the special provisions."
            ),
            self.heading("廃棄の指示 The authority's instruction"),
            self.field_list([
                ("指示番号 Instruction No.", str(instruction["number"])),
                ("指示日時 Instructed", instruction["date"]),
                ("指示者 Instructed by", f"{instruction['organisation']} {instruction['by']}"),
                ("指示内容 Instruction", instruction["note"] or "—"),
            ]),
            self.heading("廃棄の内容 What was disposed of"),
            self.field_list(fields),
        ]
        if data["deletion"]:
            story += [
                self.heading("暗号文と索引の削除 Deletion of ciphertexts and indexes"),
                self.paragraph(data["deletion"]),
            ]
        story += [
            self.heading("報告者 Reported by"),
            self.field_list([
                ("廃棄記録番号 Disposal record No.", str(data["disposal"])),
                ("報告者 Reporter", f"{data['reporter_organisation']} {data['reported_by']}"),
            ]),
        ]
        return story
