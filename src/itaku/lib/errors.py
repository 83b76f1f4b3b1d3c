"""The error a user sees: what went wrong, in Japanese first and English second."""

from __future__ import annotations


class UserError(ValueError):
    """A refused step or bad input, with both languages; never holds personal data values."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en
