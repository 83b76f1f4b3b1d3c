"""Writing and verifying the ledger. Every state change under a contract calls `record` in its transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from itaku.ledger import chain as canonical
from itaku.ledger.models import SYSTEM_CHAIN, Chain, Event
from itaku.lib.mynumber import contains_my_number

HANDLING_PREFIX = "data."


class LedgerError(RuntimeError):
    """The ledger was used in a way that would break its guarantees."""


def _actor_fields(actor: Any) -> tuple[int | None, int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, None, "system"
    return actor.pk, actor.organisation_id, actor.get_username()


# Hex digests (SHA-256 …) hold 12-digit runs with a valid check digit about 0.3% of the time; they are not
# My Numbers, and a real 12-digit value is far shorter than 32 characters, so it is still checked.
_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32,}(?![0-9A-Za-z])")


def _refuse_personal_numbers(facts: Mapping[str, Any]) -> None:
    """A last guard: the ledger must never hold a My Number; facts carry ids, counts and names of fields."""
    if contains_my_number(_DIGEST.sub("", canonical.canonical_bytes(facts).decode())):
        raise LedgerError("facts contain a 12-digit number with a valid My Number check digit; record ids instead")


def _lock_head(key: str) -> tuple[int, int, str]:
    """The chain's row (id, head_seq, head_hash), locked for the transaction; created on first use.

    Plain SQL: every search and view appends an event, and the ORM's work was several times the query's.
    """
    sql = "SELECT id, head_seq, head_hash FROM ledger_chain WHERE key = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        head = cursor.fetchone()
        if head is not None:
            return head
        try:
            with transaction.atomic():
                Chain.objects.create(key=key)
        except IntegrityError:
            pass  # another writer created it first; lock theirs
        cursor.execute(sql, [key])
        return cursor.fetchone()


def record(
    kind: str,
    *,
    chain: str = SYSTEM_CHAIN,
    actor: Any = None,
    articles: Iterable[int] = (),
    facts: Mapping[str, Any] | None = None,
) -> Event:
    """Append one event to `chain`; must run inside the transaction of the change it records.

    The head row is locked (SELECT … FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on SQLite), so
    concurrent writers queue and every chain stays gapless.
    """
    if not connection.in_atomic_block:
        raise LedgerError("ledger.record() must be called inside transaction.atomic() with the change it records")
    facts = dict(facts or {})
    _refuse_personal_numbers(facts)
    head_id, head_seq, head_hash = _lock_head(chain)
    user_id, org_id, label = _actor_fields(actor)
    articles_list = sorted({int(a) for a in articles})
    seq = head_seq + 1
    now = timezone.now()
    data = canonical.payload(
        chain=chain, seq=seq, time=now, actor_user=user_id, actor_org=org_id, actor_label=label,
        kind=kind, articles=articles_list, facts=facts, prev=head_hash,
    )
    digest = canonical.event_hash(data)
    event = Event.objects.create(
        chain=chain, seq=seq, time=now, actor_id=user_id, actor_org_id=org_id, actor_label=label,
        kind=kind, articles=articles_list, article_tags=Event.tags(articles_list), facts=facts,
        prev_hash=head_hash, hash=digest,
    )
    state = None if kind.startswith(HANDLING_PREFIX) else digest  # data handling leaves the state as it was
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_chain SET head_seq = %s, head_hash = %s, state_hash = COALESCE(%s, state_hash)"
                       " WHERE id = %s", [seq, digest, state, head_id])
    return event


def states(*chains: str) -> tuple[str, ...]:
    """Each chain's `state_hash` (the genesis hash for a chain not yet begun), in the order asked: a cached
    answer about the chains' state is still right while these are the same."""
    with connection.cursor() as cursor:  # plain SQL: asked by every search, the ORM cost ten times the query
        cursor.execute(f"SELECT key, state_hash FROM ledger_chain WHERE key IN ({', '.join(['%s'] * len(chains))})",  # noqa: S608
                       list(chains))
        found = dict(cursor.fetchall())
    return tuple(found.get(key, canonical.GENESIS) for key in chains)


def last_event(chain: str, *kinds: str) -> Event | None:
    """The newest event of one of `kinds` on a chain: the evidence a control points to."""
    return Event.objects.filter(chain=chain, kind__in=kinds).order_by("-seq").first()


def handling_events(chain: str, person_id: int | None = None) -> QuerySet[Event]:
    """Events in which a person touched personal data: the vault records each as `data.*` with facts.person.

    Controls use them to tell "not yet evidenced" (missing evidence) from "handled data without it" (violation).
    """
    events = Event.objects.filter(chain=chain, kind__startswith=HANDLING_PREFIX)
    return events.filter(facts__person=person_id) if person_id is not None else events


@dataclass(frozen=True)
class Verification:
    """The result of recomputing one chain; `broken_seq` names the first event that fails."""

    chain: str
    events: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(key: str) -> Verification:
    """Recompute every hash and link of one chain, and compare the end with the recorded head."""
    expected_seq, prev, count = 1, canonical.GENESIS, 0
    for event in Event.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return Verification(key, count, False, expected_seq, f"event {expected_seq} is missing (found {event.seq})")
        if event.prev_hash != prev:
            return Verification(key, count, False, event.seq, "previous-hash link does not match")
        if event.computed_hash() != event.hash:
            return Verification(key, count, False, event.seq, "content does not match its hash")
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = Chain.objects.filter(key=key).first()
    head_seq, head_hash = (head.head_seq, head.head_hash) if head else (0, canonical.GENESIS)
    if head_seq != count or head_hash != prev:
        return Verification(key, count, False, count + 1, f"chain ends at {count} but its head says {head_seq}")
    return Verification(key, count, True)


def chains() -> list[str]:
    """Every chain the ledger knows, system first."""
    keys = set(Chain.objects.values_list("key", flat=True))
    keys |= set(Event.objects.values_list("chain", flat=True).distinct())
    return sorted(keys, key=lambda k: (k != SYSTEM_CHAIN, k))


_resolvers: list[Callable[[str], str | None]] = []


def register_resolver(resolver: Callable[[str], str | None]) -> None:
    """Apps teach the ledger their names for chains (a contract number → its chain key)."""
    _resolvers.append(resolver)


def resolve(name: str) -> str:
    """Turn a name given on the command line into a chain key."""
    if name == SYSTEM_CHAIN or Chain.objects.filter(key=name).exists():
        return name
    for resolver in _resolvers:
        key = resolver(name)
        if key:
            return key
    raise LedgerError(f"no ledger chain for {name!r}")
