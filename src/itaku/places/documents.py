"""The work location report (作業場所届, article 15): where data is handled and stored, and how it is guarded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Flowable

from itaku.documents.pdf import DocumentRenderer
from itaku.documents.registry import register


@register
class WorkLocationReport(DocumentRenderer):
    """作業場所届: the work locations of the contract, per organisation (one party's, or every party's).

    data: organisations (name, locations (name, address, room, networks, storage, safeguards, status_ja,
    status_en, round, reported, decided)); dates already written as era + ISO.
    """

    kind = "places.report"
    title_ja = "作業場所届"
    title_en = "Work location report"

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [
            self.paragraph(
                "特記事項第１５の定めにより、個人情報を取り扱う作業場所を次のとおり届け出ます。"
                " We report below the places where the personal information of this contract is handled."
            ),
        ]
        organisations = self.data["organisations"]
        if not organisations:
            story.append(self.paragraph("（作業場所の登録なし） No work location is recorded."))
        for organisation in organisations:
            story.append(self.heading(f"{organisation['name']}の作業場所 Work locations of {organisation['name']}"))
            for number, location in enumerate(organisation["locations"], start=1):
                story += self._location(number, location)
            if not organisation["locations"]:
                story.append(self.paragraph("（作業場所の登録なし） No work location is recorded."))
        return story

    def _location(self, number: int, location: Mapping[str, Any]) -> list[Flowable]:
        networks = "\n".join(location["networks"]) or "（なし：ここからは保管庫を利用できません） None"
        status = f"{location['status_ja']} {location['status_en']}"
        if location["round"]:
            status += f"（第{location['round']}回 / round {location['round']}）"
        fields = [
            ("作業場所 Location", location["name"]),
            ("所在地 Address", location["address"]),
            ("部屋 Room", location["room"] or "—"),
            ("ネットワーク Networks", networks),
            ("保管場所 Data storage", location["storage"]),
            ("安全管理措置 Safeguards", location["safeguards"]),
            ("届出状況 Status", status),
            ("届出日 Reported", location["reported"] or "—"),
            ("判断日 Decided", location["decided"] or "—"),
        ]
        return [self.paragraph(f"作業場所 {number} Location {number}"), self.field_list(fields)]
