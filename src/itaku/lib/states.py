"""A state shown to people in Japanese first and English second: an enum whose members carry both labels."""

from __future__ import annotations

import enum


class Labelled(enum.StrEnum):
    """Members are written `NAME = "value", "日本語", "English"`; `label_ja` and `label_en` give the labels."""

    label_ja: str
    label_en: str

    def __new__(cls, value: str, label_ja: str = "", label_en: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_ja, member.label_en = label_ja, label_en
        return member
