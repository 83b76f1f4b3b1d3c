"""Template filters of the training pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from itaku.training.models import TOPICS

register = template.Library()
_LABELS = {code: (ja, en) for code, ja, en in TOPICS}


@register.filter
def topic(code: str) -> str:
    """A topic code's label in the page's language."""
    ja, en = _LABELS.get(code, (code, code))
    return en if (get_language() or "ja").startswith("en") else ja
