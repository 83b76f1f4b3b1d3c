"""Which renderer makes which written document.

Apps register their renderers (usually as a class decorator in their own `documents` module); this
module never imports the apps, so services ask for a document by kind ("provisions.printout") only.
"""

from collections.abc import Mapping
from typing import Any

from itaku.documents.pdf import DocumentRenderer, Letterhead

_RENDERERS: dict[str, type[DocumentRenderer]] = {}


def register(renderer_cls: type[DocumentRenderer]) -> type[DocumentRenderer]:
    """Make a renderer available under its `kind`; a kind taken twice is a mistake, not an override."""
    kind = renderer_cls.kind
    existing = _RENDERERS.get(kind)
    if existing is not None:
        raise ValueError(
            f"document kind {kind!r} is already registered by {existing.__module__}.{existing.__qualname__}"
        )
    _RENDERERS[kind] = renderer_cls
    return renderer_cls


def renderer(kind: str) -> type[DocumentRenderer]:
    """The renderer class for a kind."""
    try:
        return _RENDERERS[kind]
    except KeyError:
        known = ", ".join(kinds()) or "none"
        raise KeyError(
            f"no written document of kind {kind!r} is registered (known: {known}); "
            "is the app's documents module imported?"
        ) from None


def render(kind: str, letterhead: Letterhead, data: Mapping[str, Any]) -> bytes:
    """Render a document of the given kind to PDF bytes."""
    return renderer(kind)(letterhead, data).render()


def kinds() -> list[str]:
    """The registered kinds, sorted."""
    return sorted(_RENDERERS)
