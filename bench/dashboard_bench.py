"""The authority's dashboard under load (issue 6, "Speed"): all contracts × all articles, served by the production
server (`itaku serve`, gunicorn) and measured by a load tool in a second process (ApacheBench, `ab`).

    .venv/bin/python bench/dashboard_bench.py --contracts 1000 --people 20000 --events 10000000 [--baseline 10]

For each size (the baseline first, then the full one) a throwaway PostgreSQL database (`--postgres-url`, default
`postgres://postgres@127.0.0.1:5432/postgres` or ITAKU_BENCH_POSTGRES_URL; dropped afterwards) is migrated and
given one authority (品川区, Shinagawa's provisions), 100 contractors, N active contracts with the people spread
over them as responsible persons and workers (their roles on their contract), one supervisor holding a role on
every contract, and the events spread over the contracts' chains, written by SQL in the ledger's own table (kinds
and facts as the services write them: views, searches, structure, training, pledges; the hashes are unique
but not chained, so `itaku ledger verify` is not part of this benchmark). The dashboard is opened once to fill
the control snapshots (`warm_seconds`: every contract's controls evaluated and stored), then gunicorn serves it
(the installation's defaults: two worker processes per core, one thread each) and `ab -c 16` requests the
supervisor's dashboard with a logged-in session. Figures: p50/p95/max in ms and requests per second, for N
contracts next to the baseline.
Goal: p95 under 300 ms with 1,000 contracts, 20,000 people and 10,000,000 events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.common import emit, throwaway_postgres  # noqa: E402

GOAL_P95_MS = 300
CONTRACTORS = 100
KINDS = [  # (kind, facts template): what the vault and the people services write most
    ("data.viewed", '{"person": PERSON, "purpose": 1, "dataset": 1, "records": [1], "fields": ["氏名"]}'),
    ("data.searched", '{"person": PERSON, "purpose": 1, "dataset": 1, "field": "氏名", "candidates": 3, "matches": 1}'),
    ("data.viewed", '{"person": PERSON, "purpose": 1, "dataset": 1, "records": [2], "fields": ["氏名"]}'),
    ("people.pledge_accepted", '{"pledge": 1, "person": PERSON, "text_sha256": "0"}'),
    ("training.completion_recorded", '{"completion": 1, "person": PERSON}'),
]


def build(contracts: int, people: int, events: int) -> str:
    """The parties, contracts, people and events; returns the supervisor's username."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from itaku.accounts.models import Organisation, User
    from itaku.contracts.models import Contract, ContractRole, Role
    from itaku.provisions.services import import_version
    from itaku.provisions.topics import shinagawa_text

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the production server's manifest
    authority = Organisation.objects.create(name="品川区", kind="authority")
    supervisor = User.objects.create(username="supervisor", organisation=authority, password=make_password("x"))
    version = import_version(authority, shinagawa_text().encode(), "shinagawa.txt", label="標準", by=supervisor)
    contractors = Organisation.objects.bulk_create(
        [Organisation(name=f"株式会社データ{n:03d}", kind="contractor") for n in range(CONTRACTORS)])
    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)  # the fiscal year of today
    end = dt.date(start.year + 1, 3, 31)
    departments = ["税務課", "国保医療年金課", "高齢者福祉課", "戸籍住民課", "子ども育成課"]
    rows = Contract.objects.bulk_create([
        Contract(number=f"品委第{start.year}-{n:04d}号", title=f"委託業務 {n}", department=departments[n % 5],
                 authority=authority, contractor=contractors[n % CONTRACTORS], start=start, end=end,
                 status=Contract.Status.ACTIVE, provisions=version, laws=list(version.laws))
        for n in range(contracts)])
    password = make_password("x")
    users = User.objects.bulk_create([
        User(username=f"p{n:06d}", organisation=rows[n % contracts].contractor, password=password)
        for n in range(people)])
    roles = [ContractRole(contract=c, user=supervisor, role=Role.SUPERVISOR) for c in rows]
    roles += [ContractRole(contract=rows[n % contracts], user=u,
                           role=Role.RESPONSIBLE if n < contracts else Role.WORKER) for n, u in enumerate(users)]
    ContractRole.objects.bulk_create(roles, batch_size=5000)
    per_contract = events // contracts
    people_of: dict[int, list[int]] = {c.pk: [] for c in rows}
    for n, user in enumerate(users):
        people_of[rows[n % contracts].pk].append(user.pk)
    cases = " ".join(f"WHEN {i} THEN '{kind}'" for i, (kind, _facts) in enumerate(KINDS))
    with transaction.atomic(), connection.cursor() as cursor:
        # Loading ten million rows through the random-order unique index of the hashes would take half an
        # hour: the secondary indexes and unique constraints are dropped for the load and built again after.
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'ledger_event'::regclass AND contype = 'u'")
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_event' "
                       "AND indexname NOT LIKE '%%pkey'")
        indexes = [(name, sql) for name, sql in cursor.fetchall() if name not in {c for c, _ in constraints}]
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE ledger_event DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    with transaction.atomic(), connection.cursor() as cursor:
        for contract in rows:
            chain = f"contract:{contract.pk}"  # trusted literals only: the SQL is written out, no parameters
            ids = people_of[contract.pk] or [supervisor.pk]
            person = f"((ARRAY{ids})[1 + (s % {len(ids)})])::text"
            facts = " ".join(f"WHEN {i} THEN replace('{template}', 'PERSON', {person})"
                             for i, (_kind, template) in enumerate(KINDS))
            cursor.execute(f"""
                INSERT INTO ledger_event (chain, seq, time, actor_id, actor_org_id, actor_label, kind, articles,
                                          article_tags, facts, prev_hash, hash)
                SELECT '{chain}', s, now() - (({per_contract} - s) || ' seconds')::interval, NULL, NULL, 'bench',
                       CASE s % {len(KINDS)} {cases} END, '[9]'::jsonb, ',9,',
                       (CASE s % {len(KINDS)} {facts} END)::jsonb,
                       md5('{chain}' || (s - 1)::text) || md5((s - 1)::text || '{chain}'),
                       md5('{chain}' || s::text) || md5(s::text || '{chain}')
                FROM generate_series(1, {per_contract}) AS s
            """)  # noqa: S608  (the bench's own literals)
            cursor.execute(f"INSERT INTO ledger_chain (key, head_seq, head_hash, created) "  # noqa: S608
                           f"VALUES ('{chain}', {per_contract}, '{'0' * 64}', now())")
    with transaction.atomic(), connection.cursor() as cursor:
        # The chart's weeks of history, as the daily evaluations would have left them (today's is the warm-up's).
        cursor.execute("""
            INSERT INTO contracts_controlhistory (contract_id, day, ok, due_soon, missing_evidence, overdue, violation)
            SELECT c.id, %s::date - d, 30, c.id %% 3, 2, (c.id + d) %% 4, (c.id * d) %% 3
            FROM contracts_contract c, generate_series(1, 55) AS d
        """, [today])
    with transaction.atomic(), connection.cursor() as cursor:  # the append-only triggers' events are done
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE ledger_event ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
    return supervisor.username


def session_for(username: str) -> tuple[str, str]:
    """A logged-in session of the user, as the login page would leave it: (cookie name, value)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from itaku.accounts.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key


def warm(username: str) -> float:
    """Open the dashboard once in-process: every contract's controls evaluated and their snapshots stored."""
    from django.test import Client

    from itaku.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    began = time.perf_counter()
    response = client.get("/", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - began


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load(cookie: tuple[str, str], requests: int, concurrency: int) -> dict[str, float]:
    """Serve with gunicorn and request the dashboard with ab from this second process; ab's figures."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "itaku.settings"}
    server = subprocess.Popen([sys.executable, "-m", "itaku.cli", "serve", "--bind", f"127.0.0.1:{port}"],  # noqa: S603
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/"
        header = f"{cookie[0]}={cookie[1]}"
        ab = shutil.which("ab") or "ab"
        subprocess.run([ab, "-q", "-n", "32", "-c", str(concurrency), "-C", header, url],  # noqa: S603
                       check=True, capture_output=True)  # warm-up: workers started, connections open
        out = subprocess.run([ab, "-n", str(requests), "-c", str(concurrency), "-C", header, url],  # noqa: S603
                             check=True, capture_output=True, text=True).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    if failed or non_2xx:
        raise SystemExit(f"ab saw failures:\n{out}")
    percent = {int(p): float(ms) for p, ms in re.findall(r"^\s+(\d+)%\s+(\d+)", out, re.M)}
    return {"p50": percent[50], "p95": percent[95], "max": percent[100],
            "rps": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))}


def run(contracts: int, people: int, events: int, requests: int, concurrency: int, server: str) -> dict:
    """One size in its own process (Django's settings name one database per process); its figures."""
    out = subprocess.run([sys.executable, __file__, "--one", str(contracts), str(people), str(events),  # noqa: S603
                          "--requests", str(requests), "--concurrency", str(concurrency), "--postgres-url", server],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def one(contracts: int, people: int, events: int, requests: int, concurrency: int, server: str) -> dict:
    with tempfile.TemporaryDirectory() as var, throwaway_postgres(server, f"itaku_dash_bench_{os.getpid()}"):
        os.environ["ITAKU_VAR_DIR"] = var
        began = time.perf_counter()
        username = build(contracts, people, events)
        built = time.perf_counter() - began
        warmed = warm(username)
        figures = load(session_for(username), requests, concurrency)
        from django.db import connections

        connections.close_all()
        return {"build_seconds": round(built, 1), "warm_seconds": round(warmed, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--baseline", type=int, default=10, help="contracts of the baseline run (same density)")
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres-url", default=os.environ.get("ITAKU_BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--one", nargs=3, type=int, metavar=("CONTRACTS", "PEOPLE", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itaku.settings")
        print(json.dumps(one(*args.one, args.requests, args.concurrency, args.postgres_url)))
        return
    if shutil.which("ab") is None:
        raise SystemExit("needs ApacheBench: apt-get install apache2-utils")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itaku.settings")
    scale = args.baseline / args.contracts
    base = run(args.baseline, max(int(args.people * scale), args.baseline), max(int(args.events * scale), 1),
               args.requests, args.concurrency, args.postgres_url)
    full = run(args.contracts, args.people, args.events, args.requests, args.concurrency, args.postgres_url)
    label = f"{args.contracts} contracts, {args.people} people, {args.events} events"
    base_label = f"{args.baseline} contracts"
    for key, unit in (("p50", "ms"), ("p95", "ms"), ("max", "ms"), ("rps", "requests/s"),
                      ("warm_seconds", "s"), ("build_seconds", "s")):
        emit(f"dashboard_{key} ({label})", full[key], unit,
             baseline={"measure": f"dashboard_{key} ({base_label})", "value": base[key]},
             **({"goal": f"< {GOAL_P95_MS} ms", "met": full[key] < GOAL_P95_MS} if key == "p95" else {}))


if __name__ == "__main__":
    main()
