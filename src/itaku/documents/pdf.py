"""Written documents (書面) as PDF: A4, Japanese first and English second, fonts embedded.

The provisions ask for many things "in writing" (articles 2, 13, 15–18). Each written document is a
`DocumentRenderer` subclass that turns plain data, handed over by a service, into a PDF. Nothing here
knows about Django or the database, so a document can be rendered again later from the same data.

City halls open these files on machines with no internet and few fonts (三層分離), so the IPAex fonts
are embedded (as subsets) instead of relying on the reader's CID fonts such as HeiseiMin-W3.
Rendering is deterministic: the same letterhead and data give the same bytes, so a document's hash
can be recorded in the ledger and checked later.
"""

import datetime
import functools
import io
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from itaku.lib.era import dual_date

FONT_DIR = Path(__file__).parent / "fonts"
GOTHIC = "IPAexGothic"  # headings, labels, letterhead
MINCHO = "IPAexMincho"  # body text
_FONT_FILES = {GOTHIC: "ipaexg.ttf", MINCHO: "ipaexm.ttf"}

GETA = "〓"  # U+3013, the typesetter's mark for a character the font cannot print

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
_LETTERHEAD_TOP = 14 * mm
_LETTERHEAD_GAP = 6 * mm  # between the letterhead and the body
_FOOTER_Y = 10 * mm
_LABEL_WIDTH = 36 * mm  # leaves room for a SHA-256 on one line

_BODY = ParagraphStyle("itaku-body", fontName=MINCHO, fontSize=10, leading=16, wordWrap="CJK")
_HEADING = ParagraphStyle(
    "itaku-heading",
    parent=_BODY,
    fontName=GOTHIC,
    fontSize=11.5,
    leading=17,
    spaceBefore=9,
    spaceAfter=3,
    keepWithNext=1,
)
_TITLE_JA = ParagraphStyle("itaku-title-ja", parent=_BODY, fontName=GOTHIC, fontSize=17, leading=22)
_TITLE_EN = ParagraphStyle(
    "itaku-title-en", parent=_BODY, fontName=GOTHIC, fontSize=9, leading=13, textColor=colors.dimgrey
)
_LABEL = ParagraphStyle("itaku-label", parent=_BODY, fontName=GOTHIC, fontSize=8, leading=11.5)
_VALUE = ParagraphStyle("itaku-value", parent=_BODY, fontSize=9.5, leading=13.5)
_CELL_STYLE = [
    ("FONTNAME", (0, 0), (-1, -1), MINCHO),  # a table's own default would pull in Helvetica, not embedded
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]


@functools.cache
def _register_fonts() -> None:
    """Register the two IPAex faces once per process (parsing a 6–8 MB TTF is not free)."""
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


@functools.cache
def _printable() -> frozenset[int]:
    """Code points both embedded fonts can draw, read from their cmaps."""
    _register_fonts()
    gothic, mincho = (pdfmetrics.getFont(name).face.charToGlyph for name in _FONT_FILES)
    return frozenset(gothic.keys() & mincho.keys())


def _is_variation_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x180B <= cp <= 0x180D or cp == 0x180F


def safe_text(text: str) -> str:
    """Text the embedded fonts can print, so a document never shows a blank box or fails to render.

    Variation selectors (葛 + U+E0100 in a registry name) and invisible format or control characters the
    font lacks are dropped; any other character without a glyph (𠮷, U+20BB7) becomes 〓, as Japanese
    typesetters mark a missing character. Line breaks and tabs are kept.
    """
    printable = _printable()
    out = []
    for ch in text:
        cp = ord(ch)
        if _is_variation_selector(cp):
            continue
        if cp in printable or ch in "\t\n\r":
            out.append(ch)
        elif unicodedata.category(ch) not in ("Cf", "Cc"):
            out.append(GETA)
    return "".join(out)


def _markup(text: str) -> str:
    """Plain text as Paragraph markup: printable, XML-escaped, explicit line breaks kept."""
    lines = safe_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


@dataclass(frozen=True)
class Letterhead:
    """What every page of a written document says about the contract it belongs to."""

    authority: str
    contractor: str
    contract_number: str
    contract_title: str
    document_title_ja: str
    document_title_en: str
    date: datetime.date  # 作成日, also the PDF's creation date


class _NumberedCanvas(Canvas):
    """A canvas that writes the footer, "page / total" included, once the total is known.

    Pages are kept until save() (the usual two-pass NumberedCanvas recipe for reportlab).
    The PDF's dates are the document's date, so the output depends only on its inputs.
    """

    def __init__(self, *args: Any, footer: str, date: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._saved_pages: list[dict[str, Any]] = []
        self.setDateFormatter(lambda *_: f"D:{date:%Y%m%d}000000+09'00'")

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(GOTHIC, 7.5)
            self.setFillColor(colors.dimgrey)
            self.drawString(MARGIN, _FOOTER_Y, self._footer)
            self.drawRightString(PAGE_WIDTH - MARGIN, _FOOTER_Y, f"{self._pageNumber} / {total}")
            super().showPage()
        super().save()


class DocumentRenderer(ABC):
    """Base class: one subclass per written document (pretix style).

    A subclass names its `kind` (the registry key), its titles, and builds the body in `story()`
    with the helpers below, which take plain text: never markup.
    """

    kind: ClassVar[str]
    title_ja: ClassVar[str]
    title_en: ClassVar[str]
    author_party: ClassVar[Literal["authority", "contractor"]] = "contractor"  # who the PDF says wrote it

    def __init__(self, letterhead: Letterhead, data: Mapping[str, Any]) -> None:
        self.letterhead = letterhead
        self.data = data

    def author(self) -> str:
        """The PDF's author: the party `author_party` names; a document written by another party (a
        subcontractor's request) says so."""
        return self.letterhead.authority if self.author_party == "authority" else self.letterhead.contractor

    @abstractmethod
    def story(self) -> list[Flowable]:
        """The body of the document, below the letterhead."""

    # Helpers for subclasses -------------------------------------------------------------------

    def heading(self, text: str) -> Paragraph:
        """A section heading, kept on the same page as what follows it."""
        return Paragraph(_markup(text), _HEADING)

    def paragraph(self, text: str, *, label: str | None = None, indent: int = 0) -> Paragraph:
        """Body text wrapped for Japanese; with a label (２, ア, ・) the wrapped lines hang after it.

        `indent` is counted in full-width characters, as Japanese documents indent items.
        """
        left = indent * _BODY.fontSize
        if label is None:
            return Paragraph(_markup(text), ParagraphStyle("p", parent=_BODY, leftIndent=left))
        # The label is drawn as the paragraph's bullet: Paragraph would shrink an ideographic space
        # after it to an ASCII one, and the text would not line up with the wrapped lines.
        label = safe_text(label)
        hang = pdfmetrics.stringWidth(label, MINCHO, _BODY.fontSize) + _BODY.fontSize
        style = ParagraphStyle(
            "p",
            parent=_BODY,
            leftIndent=left + hang,
            bulletIndent=left,
            bulletFontName=MINCHO,
            bulletFontSize=_BODY.fontSize,
        )
        return Paragraph(_markup(text), style, bulletText=label)

    def table(self, rows: Sequence[Sequence[str]], col_widths: Sequence[float] | None = None) -> Table:
        """A ruled table; the first row is the header and repeats on every page the table spans."""
        if col_widths is None:
            columns = max((len(row) for row in rows), default=1)
            col_widths = [FRAME_WIDTH / columns] * columns
        cells = [[Paragraph(_markup(cell), _LABEL if r == 0 else _VALUE) for cell in row] for r, row in enumerate(rows)]
        style = TableStyle(
            [
                *_CELL_STYLE,
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
        return Table(cells, colWidths=list(col_widths), repeatRows=1, style=style, hAlign="LEFT")

    def field_list(self, fields: Sequence[tuple[str, str]]) -> Table:
        """Label and value pairs, one a row, as forms list their items (情報項目, 媒体名, 数量 …)."""
        cells = [[Paragraph(_markup(label), _LABEL), Paragraph(_markup(value), _VALUE)] for label, value in fields]
        style = TableStyle(
            [
                *_CELL_STYLE,
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.lightgrey),
            ]
        )
        return Table(cells, colWidths=[_LABEL_WIDTH, FRAME_WIDTH - _LABEL_WIDTH], style=style, hAlign="LEFT")

    # Rendering --------------------------------------------------------------------------------

    def _letterhead_flowables(self) -> list[Flowable]:
        lh = self.letterhead

        def label(text: str) -> Paragraph:
            return Paragraph(_markup(text), _LABEL)

        def value(text: str) -> Paragraph:
            return Paragraph(_markup(text), _VALUE)

        block = Table(
            [
                [
                    label("委託者 Authority"),
                    value(lh.authority),
                    label("契約番号 Contract No."),
                    value(lh.contract_number),
                ],
                [
                    label("受託者 Contractor"),
                    value(lh.contractor),
                    label("作成日 Date"),
                    value(dual_date(lh.date)),
                ],
                [label("業務名 Contract"), value(lh.contract_title), "", ""],
            ],
            colWidths=[28 * mm, FRAME_WIDTH - 117 * mm, 33 * mm, 56 * mm],
            style=TableStyle(
                [
                    *_CELL_STYLE,
                    ("SPAN", (1, 2), (3, 2)),
                    ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.lightgrey),
                ]
            ),
        )
        return [
            Paragraph(_markup(lh.document_title_ja), _TITLE_JA),
            Paragraph(_markup(lh.document_title_en), _TITLE_EN),
            block,
        ]

    def render(self) -> bytes:
        """The document as PDF bytes: A4 portrait, letterhead and footer on every page."""
        _register_fonts()
        lh = self.letterhead
        letterhead = self._letterhead_flowables()
        # The letterhead is the same on every page: measure it once to place the body below it.
        letterhead_height = sum(f.wrap(FRAME_WIDTH, PAGE_HEIGHT)[1] for f in letterhead)

        def draw_letterhead(canvas: Canvas, _doc: BaseDocTemplate) -> None:
            y = PAGE_HEIGHT - _LETTERHEAD_TOP
            for flowable in letterhead:
                _, height = flowable.wrap(FRAME_WIDTH, PAGE_HEIGHT)
                y -= height
                flowable.drawOn(canvas, MARGIN, y)

        buffer = io.BytesIO()
        author = self.author()
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=_LETTERHEAD_TOP + letterhead_height + _LETTERHEAD_GAP,
            bottomMargin=MARGIN,
            # Metadata is shown with the reader's own fonts: keep the text as given (𠮷 stays 𠮷).
            title=f"{lh.document_title_ja} {lh.document_title_en} ({lh.contract_number})",
            author=author,
            subject=lh.contract_title,
            creator="itaku",
            lang="ja-JP",
            initialFontName=MINCHO,  # the canvas default would reference Helvetica, which is not embedded
            displayDocTitle=True,
            invariant=True,
        )
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            doc.height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw_letterhead)])
        footer = safe_text(f"itaku　契約番号 Contract No. {lh.contract_number}")
        doc.build(self.story(), canvasmaker=functools.partial(_NumberedCanvas, footer=footer, date=lh.date))
        return buffer.getvalue()
