"""What the benchmark scripts share: the JSON line of a figure, CPU time, a throwaway PostgreSQL database, and
the benchmark's dataset declared as src/itaku/portal/juki.py describes it."""

from __future__ import annotations

import contextlib
import json
import os
import resource
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def emit(measure: str, value: float | int, unit: str, **extra: object) -> None:
    """One figure as one JSON line on stdout (`measure`, `value`, `unit`, then the rest)."""
    print(json.dumps({"measure": measure, "value": value, "unit": unit, **extra}, ensure_ascii=False), flush=True)


def cpu_seconds() -> float:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_url(server: str, name: str) -> str:
    """`server`'s URL with its database replaced by `name`."""
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


@contextlib.contextmanager
def throwaway_postgres(server: str, name: str) -> Iterator[str]:
    """Create database `name` on `server` (a URL naming any database), point ITAKU_DATABASE_URL at it for the
    block, and drop it afterwards, connections of this process closed first."""
    import psycopg

    admin = psycopg.connect(database_url(server, "postgres"), autocommit=True)
    admin.execute(f"CREATE DATABASE {name}")
    os.environ["ITAKU_DATABASE_URL"] = database_url(server, name)
    try:
        yield os.environ["ITAKU_DATABASE_URL"]
    finally:
        from django.db import connections

        connections.close_all()
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def bench_dataset(world: Any, rows: int, name: str = "住民基本台帳抜粋") -> Any:
    """A dataset of the ten fields of src/itaku/portal/juki.py (two blind-indexed), sized for `rows` records."""
    from itaku.portal.juki import FIELDS
    from itaku.vault.services import FieldSpec, create_dataset

    return create_dataset(world.supervisor, world.contract, name=name, source="entrusted",
                          fields=[FieldSpec(**spec) for spec in FIELDS], purposes=["住民税課税資料の入力"],
                          expected_rows=max(rows, 1))
