"""The provisions printout: the special provisions (特記事項) of a contract as a written document.

The authority and the contractor sign against a text; the printout shows that exact text, its version
and its SHA-256, so the paper copy and the stored version can be matched.
"""

from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Flowable

from itaku.documents.pdf import DocumentRenderer
from itaku.documents.registry import register

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _full_width(number: int) -> str:
    """Article and paragraph numbers in full-width digits, as the provisions write them (第１０)."""
    return str(number).translate(_FULL_WIDTH_DIGITS)


@register
class ProvisionsPrintout(DocumentRenderer):
    """特記事項: the full text of the provisions annexed to the contract.

    data: title, version_label, text_sha256, parties (authority, authority_alias, contractor,
    contractor_alias), laws, articles (number, heading, paragraphs (number, text, items (label, text)))
    — the shape of the parser's Provisions.to_dict() plus version_label, text_sha256 and laws.
    """

    kind = "provisions.printout"
    title_ja = "特記事項"
    title_en = "Special provisions"
    author_party = "authority"  # the text is the authority's, whoever prints it

    def story(self) -> list[Flowable]:
        data = self.data
        parties = data["parties"]
        story: list[Flowable] = [
            self.heading(data["title"]),
            self.field_list(
                [
                    ("版 Version", data["version_label"]),
                    ("SHA-256", data["text_sha256"]),
                    (
                        "略称 Parties as named",
                        f"{parties['authority_alias']}＝{parties['authority']}、"
                        f"{parties['contractor_alias']}＝{parties['contractor']}",
                    ),
                ]
            ),
            self.heading("適用法令 Applicable laws"),
        ]
        laws = data["laws"]
        if laws:
            story += [self.paragraph(law, label="・") for law in laws]
        else:
            story.append(self.paragraph("（記載なし） None stated"))
        for article in data["articles"]:
            story += self._article(article)
        return story

    def _article(self, article: Mapping[str, Any]) -> list[Flowable]:
        number = _full_width(article["number"])
        heading = article.get("heading")
        flowables: list[Flowable] = [self.heading(f"第{number}（{heading}）" if heading else f"第{number}")]
        for paragraph in article["paragraphs"]:
            # The first paragraph of an article carries no number; the second prints as "２".
            label = None if paragraph["number"] == 1 else _full_width(paragraph["number"])
            flowables.append(self.paragraph(paragraph["text"], label=label))
            flowables += [
                self.paragraph(item["text"], label=item["label"], indent=1) for item in paragraph.get("items", ())
            ]
        return flowables
