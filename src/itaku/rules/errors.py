"""The refusals of the rules app: bilingual, and naming the form field they concern where there is one."""

from __future__ import annotations

from itaku.lib.errors import UserError


class RulesError(UserError):
    """A rules step that is refused; `field` names the form field it concerns, if any."""

    def __init__(self, message_ja: str, message_en: str, field: str | None = None) -> None:
        super().__init__(message_ja, message_en)
        self.field = field
