"""Django's ValidationError as the bilingual UserError every service raises."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from itaku.lib.errors import UserError


def _render(exc: ValidationError, model: type[models.Model] | None, language: str) -> str:
    with translation.override(language):
        if not hasattr(exc, "error_dict"):
            return "; ".join(exc.messages)
        parts = []
        for field, messages in exc.message_dict.items():
            label = ""
            if model is not None and field != "__all__":
                try:
                    label = str(model._meta.get_field(field).verbose_name)
                except Exception:
                    label = ""
            parts += [f"{label}: {m}" if label else str(m) for m in messages]
        return "; ".join(parts)


def user_error(exc: ValidationError, prefix_ja: str, prefix_en: str,
               model: type[models.Model] | None = None) -> UserError:
    """Name each field and its problem, rendered once in Japanese and once in English."""
    return UserError(f"{prefix_ja}: {_render(exc, model, 'ja')}", f"{prefix_en}: {_render(exc, model, 'en')}")
