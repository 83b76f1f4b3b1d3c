"""体制届 (article 2) and 誓約書 (article 4) as written documents."""

from __future__ import annotations

from reportlab.platypus import Flowable

from itaku.documents.pdf import DocumentRenderer
from itaku.documents.registry import register
from itaku.lib.era import dual_date


@register
class StructureNotice(DocumentRenderer):
    """体制届: the responsible person, the workers and their duties, and the structure, as submitted.

    data: organisation, version, responsible, responsible_scope, description, members (person, duties),
    submitted_on (date or None), status, snapshot_sha256.
    """

    kind = "people.structure_notice"
    title_ja = "個人情報取扱体制届"
    title_en = "Notice of the personal-information handling structure"

    def story(self) -> list[Flowable]:
        data = self.data
        submitted = dual_date(data["submitted_on"]) if data["submitted_on"] else "未提出 Not submitted"
        story: list[Flowable] = [
            self.field_list([
                ("届出者 Party", data["organisation"]),
                ("版 Version", f"第{data['version']}版"),
                ("提出日 Submitted", submitted),
                ("状態 Status", str(data["status"]) or "—"),
                ("SHA-256", data["snapshot_sha256"] or "—"),
            ]),
            self.heading("責任者 Responsible person"),
            self.field_list([
                ("氏名 Name", data["responsible"]),
                ("責任の範囲 Scope", data["responsible_scope"] or "—"),
            ]),
            self.heading("業務従事者 Workers"),
            self.table([("氏名 Name", "業務内容 Duties"),
                        *[(m["person"], m["duties"]) for m in data["members"]]] if data["members"]
                       else [("氏名 Name", "業務内容 Duties"), ("—", "—")]),
            self.heading("管理体制・実施体制 Management and implementation structure"),
        ]
        story += [self.paragraph(line) for line in data["description"].splitlines() if line.strip()]
        return story


@register
class PledgeDocument(DocumentRenderer):
    """誓約書: the text one person accepted, when, and the hash of that text version.

    data: person, organisation, body, version, sha256, accepted_at (ISO), accepted_on (date).
    """

    kind = "people.pledge"
    title_ja = "誓約書"
    title_en = "Confidentiality pledge"

    def story(self) -> list[Flowable]:
        data = self.data
        story: list[Flowable] = [self.paragraph(line) for line in data["body"].splitlines() if line.strip()]
        story.append(self.heading("同意の記録 Record of acceptance"))
        story.append(self.field_list([
            ("誓約者 Person", data["person"]),
            ("所属 Organisation", data["organisation"]),
            ("同意日 Accepted on", dual_date(data["accepted_on"])),
            ("同意日時 Accepted at", data["accepted_at"]),
            ("誓約書の版 Text version", f"第{data['version']}版"),
            ("本文の SHA-256 Text SHA-256", data["sha256"]),
            ("方式 Method", "itaku へのログイン後、本人が画面上で同意 "
                          "Accepted by the person after logging in to itaku"),
        ]))
        return story
