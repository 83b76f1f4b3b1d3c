"""The ledger's canonical encoding and hash: framework-free and versioned.

Format 1 is frozen: a later Merkle tree (RFC 9162) and signed checkpoints are built over these hashes,
so any change to what is hashed must come as a new format number, never as an edit of this one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

FORMAT = 1
GENESIS = "0" * 64


class FactsError(TypeError):
    """Facts hold something that has no stable canonical form (floats, bytes, objects)."""


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise FactsError(f"{path}: keys must be strings")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise FactsError(f"{path}: {type(value).__name__} has no canonical form; use str or int")


def format_time(moment: dt.datetime) -> str:
    """UTC, microseconds, 'Z': one spelling per instant whatever the database returns."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def payload(
    *, chain: str, seq: int, time: dt.datetime, actor_user: int | None, actor_org: int | None,
    actor_label: str, kind: str, articles: Sequence[int], facts: Mapping[str, Any], prev: str,
) -> dict[str, Any]:
    """The exact dictionary that is hashed for one event."""
    _check(dict(facts), "facts")
    return {
        "v": FORMAT,
        "chain": chain,
        "seq": seq,
        "time": format_time(time),
        "actor": {"user": actor_user, "org": actor_org, "label": actor_label},
        "kind": kind,
        "articles": sorted(set(int(a) for a in articles)),
        "facts": facts,
        "prev": prev,
    }


def canonical_bytes(data: Mapping[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no NaN: the same bytes on every machine."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def event_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical encoding, hex."""
    return hashlib.sha256(canonical_bytes(data)).hexdigest()
