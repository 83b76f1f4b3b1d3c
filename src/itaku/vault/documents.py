"""The disposal report (廃棄報告書, article 13-2): what was disposed of, on what, how much, when, how, where
and by whom, and the authority's instruction it answers."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import FRAME_WIDTH, DocumentRenderer
from itaku.documents.registry import register

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _widths(*shares: float) -> list[float]:
    """Column widths as shares of the frame's width."""
    return [share * FRAME_WIDTH for share in shares]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@register
class DisposalReport(DocumentRenderer):
    """廃棄報告書: one disposal record.

    data: articles (the contract's article numbers on disposal), disposal, dataset ("" for paper or media),
    specific (the dataset holds My Numbers: 特定個人情報),
    contract (number, title), instruction (number, date, by, organisation, note), items, medium, records,
    files, disposed_at, method, place, person_in_charge, reported_by, reporter_organisation, report_date,
    deletion ("" for paper or media), copy_articles and copies (of a dataset: number, holder, medium, records,
    produced_at, destroy_by, destroyed, destroyed_at, method, place, person); dates already written as
    era + ISO, with the time where there is one.
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
            name = data["dataset"] + ("（特定個人情報 Specific personal information: My Number）"
                                      if data["specific"] else "")
            fields.insert(0, ("個人情報ファイル\nDataset", name))
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
        if data["dataset"]:
            story += self._copies(data)
        story += [
            self.heading("報告者 Reported by"),
            self.field_list([
                ("契約 Contract", f"{data['contract']['number']} {data['contract']['title']}"),
                ("報告日 Report date", data["report_date"]),
                ("廃棄記録番号 Disposal record No.", str(data["disposal"])),
                ("報告者 Reporter", f"{data['reporter_organisation']} {data['reported_by']}"),
            ]),
        ]
        return story

    def _copies(self, data: dict) -> list[Flowable]:
        """The copies of the dataset (article 10) apart from the dataset itself: those destroyed with the
        particulars of their destruction, then those not destroyed, named as such."""
        articles = "、".join(f"第{str(n).translate(_FULL_WIDTH_DIGITS)}" for n in data["copy_articles"]) or "複写"
        copies = data["copies"]
        story: list[Flowable] = [self.heading(f"複写物の廃棄（{articles}） Copies disposed of (article 10)")]
        if not copies:
            return [*story, self.paragraph("この個人情報ファイルの複写物は作成されていません。"
                                           " No copy of this dataset was made.")]
        destroyed = [c for c in copies if c["destroyed"]]
        held = [c for c in copies if not c["destroyed"]]
        if destroyed:
            story.append(self.table(col_widths=_widths(0.14, 0.13, 0.2, 0.15, 0.22, 0.16), rows=[
                ["複写番号 Copy No.", "保有者 Holder", "廃棄日時 Destroyed", "方法 Method", "場所 Place",
                 "担当者 Person in charge"],
                *([c["number"], c["holder"], c["destroyed_at"], c["method"], c["place"], c["person"]]
                  for c in destroyed),
            ]))
        else:
            story.append(self.paragraph("廃棄された複写物はありません。 No copy has been destroyed."))
        if held:
            story += [
                self.heading("未廃棄の複写物 Copies not yet destroyed"),
                self.paragraph(f"次の複写物 {len(held)} 点は廃棄されていません（保有中）。"
                               f" {len(held):,} {'copy is' if len(held) == 1 else 'copies are'} not yet"
                               " destroyed (still held)."),
                self.table(col_widths=_widths(0.14, 0.12, 0.14, 0.1, 0.19, 0.17, 0.14), rows=[
                    ["複写番号 Copy No.", "保有者 Holder", "媒体 Medium", "記録数 Records", "作成日時 Produced",
                     "廃棄期限 Destroy by", "状態 Status"],
                    *([c["number"], c["holder"], c["medium"], f"{c['records']:,}", c["produced_at"],
                       c["destroy_by"], "未廃棄 Not yet destroyed"] for c in held),
                ]),
            ]
        return story
