"""Storing a new provisions version: parse, map articles to topics, find the laws, record the event."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Max

from itaku.ledger.services import record
from itaku.provisions.laws import extract_laws
from itaku.provisions.models import ProvisionsVersion
from itaku.provisions.parser import parse_text
from itaku.provisions.reader import read_document
from itaku.provisions.topics import map_articles


def import_version(
    authority: Any, data: bytes, filename: str, *, label: str, by: Any = None,
) -> ProvisionsVersion:
    """Store a provisions text for `authority` as its next version; raises ProvisionsError on bad input."""
    text = read_document(data, filename)
    provisions = parse_text(text)
    topics = map_articles(provisions)
    protection = [a for a in provisions.articles if "protection" in topics.get(a.number, ())]
    laws = extract_laws(" ".join(p.text for a in protection[:1] for p in a.paragraphs))
    with transaction.atomic():
        latest = ProvisionsVersion.objects.select_for_update().filter(authority=authority)
        number = (latest.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProvisionsVersion.objects.create(
            authority=authority, number=number, label=label, source_filename=filename, source_text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(), tree=provisions.to_dict(),
            article_topics={str(k): list(v) for k, v in topics.items()},
            laws=laws, created_by=by,
        )
        record(
            "provisions.version_created", actor=by,
            facts={"version": version.pk, "authority": authority.pk, "number": number,
                   "articles": len(provisions.articles), "text_sha256": version.text_sha256},
        )
        return version


def printout_data(version: ProvisionsVersion) -> dict[str, Any]:
    """The plain data the provisions printout renders."""
    return {
        **version.tree,
        "version_label": f"v{version.number} {version.label}",
        "text_sha256": version.text_sha256,
        "laws": list(version.laws),
    }
