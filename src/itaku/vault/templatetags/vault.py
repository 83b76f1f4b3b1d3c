from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """A value of a decrypted record by field name (names are Japanese, so no dotted lookup)."""
    return mapping.get(key, "")
