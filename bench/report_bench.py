"""Periodic report benchmark (issue 6, "Speed"): the 個人情報取扱状況報告書 of a contract with N ledger events
in the period, compiled as the responsible person's page compiles it, against the same compile for a contract
with 1,000 events in the same database.

    .venv/bin/python bench/report_bench.py [--events 1000000] [--baseline-events 1000] [--postgres-url URL]

A throwaway PostgreSQL database (`itaku_report_bench_<pid>` on --postgres-url, default
postgres://postgres@127.0.0.1:5432/postgres or ITAKU_BENCH_POSTGRES_URL, dropped at the end) is migrated and
given the parties and contract of tests.base.World (its term moved to start two months back), a second
contract of the same parties, a dataset with three purposes on each, and a monthly schedule. Each contract's
chain is then extended by COPY with N (resp. 1,000) hash-chained events spread over the previous month: 55%
data.searched and 30% data.viewed over the three purposes, the rest eligibility refusals, copies, returns,
disposals, people, training, subcontracting and incident events; the chain head is moved to the last one, and
the table gets the VACUUM ANALYZE autovacuum would give it. The ledger is append-only (triggers refuse
UPDATE and DELETE), so COPY only appends.

Timed, after one warm-up on the baseline: `reporting.services.compile_report` (counts by kind and by purpose,
the ledger head at the end of the period, people, training, every control evaluated for the open findings, the
report saved and its ledger event, committed), median of --repeats runs. The figures are checked against the
numbers written. One JSON line per figure; goal: under 5 s at 1,000,000 events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.common import emit, throwaway_postgres  # noqa: E402

GOAL_SECONDS = 5.0
OTHER_KINDS = ("eligibility.refused", "vault.copy_requested", "vault.copy_destroyed", "vault.return_requested",
               "vault.disposed", "people.structure_saved", "people.pledge_accepted", "training.completion_recorded",
               "subcontracting.supervised", "incident.suspected", "data.added", "data.corrected")


def extend_chain(contract, worker, purposes: list[int], dataset: int, count: int, first: dt.date,
                 last: dt.date) -> dict[str, int]:
    """Append `count` hash-chained events by COPY, times spread over `first`..`last`; returns counts by kind."""
    from django.db import connection, transaction
    from django.utils import timezone

    from itaku.ledger import chain as canonical
    from itaku.ledger.models import Chain, Event

    rng = random.Random(count)  # noqa: S311  (made-up data, repeatable)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    span = (last - first).days * 86400 + 86399
    step = span / max(count, 1)
    articles = contract.articles_for("use_outside_purpose")
    tags = Event.tags(articles)
    counts: dict[str, int] = {}
    with transaction.atomic():
        head = Chain.objects.select_for_update().get(key=contract.ledger_chain)
        seq, prev = head.head_seq, head.head_hash
        with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY ledger_event (chain, seq, time, actor_id, actor_org_id, actor_label, kind, articles, article_tags,"
            " facts, prev_hash, hash) FROM STDIN"
        ) as copy:
            for n in range(count):
                draw = rng.random()
                if draw < 0.55:
                    kind = "data.searched"
                elif draw < 0.85:
                    kind = "data.viewed"
                else:
                    kind = OTHER_KINDS[n % len(OTHER_KINDS)]
                facts = {"person": worker.pk, "dataset": dataset}
                if kind in ("data.searched", "data.viewed"):
                    facts["purpose"] = purposes[n % len(purposes)]
                seq += 1
                moment = start + dt.timedelta(seconds=n * step)
                data = canonical.payload(chain=contract.ledger_chain, seq=seq, time=moment, actor_user=worker.pk,
                                         actor_org=worker.organisation_id, actor_label=worker.username, kind=kind,
                                         articles=articles, facts=facts, prev=prev)
                body = canonical.canonical_bytes(data)
                digest = hashlib.sha256(body).hexdigest()
                copy.write_row((contract.ledger_chain, seq, moment, worker.pk, worker.organisation_id,
                                worker.username, kind, json.dumps(articles),
                                tags, canonical.canonical_bytes(facts).decode(), prev, digest))
                prev = digest
                counts[kind] = counts.get(kind, 0) + 1
        Chain.objects.filter(pk=head.pk).update(head_seq=seq, head_hash=prev)
    return counts


def second_contract(world):
    from django.utils import timezone

    from itaku.contracts import services as contracts
    from itaku.contracts.models import Role

    contract = contracts.create_contract(
        world.supervisor, number="品委第2025-0002号", title="介護保険資料の入力業務", contractor=world.contractor,
        start=world.contract.start, end=timezone.localdate() + dt.timedelta(days=300), department="介護保険課",
        provisions=world.provisions)
    contracts.assign_role(world.supervisor, contract, world.responsible, Role.RESPONSIBLE)
    contracts.assign_role(world.responsible, contract, world.worker, Role.WORKER)
    contracts.acknowledge_provisions(world.responsible, contract)
    contracts.decide_acknowledgement(world.supervisor, contract, approve=True)
    contract.refresh_from_db()
    return contract


def prepare(world, contract, events: int) -> dict[str, int]:
    from tests.vault.test_import import FIELDS

    from itaku.reporting import periods, services
    from itaku.vault.models import Dataset
    from itaku.vault.services import create_dataset

    dataset = create_dataset(world.supervisor, contract, name="住民基本台帳抜粋", source=Dataset.Source.ENTRUSTED,
                             fields=FIELDS, purposes=["課税", "督促", "減免"], expected_rows=100)
    services.set_schedule(world.supervisor, contract, frequency=periods.MONTHLY)
    period = last_month()
    return extend_chain(contract, world.worker, list(dataset.purposes.values_list("pk", flat=True)), dataset.pk,
                        events, period.start, period.end)


def last_month():
    from django.utils import timezone

    from itaku.reporting import periods

    return periods.containing(timezone.localdate().replace(day=1) - dt.timedelta(days=1), periods.MONTHLY)


def timed_compile(world, contract, written: dict[str, int], repeats: int) -> tuple[float, dict]:
    from itaku.reporting import services

    seconds = []
    report = None
    for _ in range(repeats):
        started = time.perf_counter()
        report = services.compile_report(world.responsible, contract, last_month())
        seconds.append(time.perf_counter() - started)
    figures = report.figures
    counted = {row["kind"]: row["count"] for section in figures["sections"] for row in section["rows"]}
    if any(counted.get(kind) != n for kind, n in written.items()) or figures["events"] != sum(written.values()):
        raise SystemExit(f"the compiled figures do not match the events written: {counted} vs {written}")
    accesses = sum(a["searched"] + a["viewed"] for a in figures["accesses"])
    if accesses != written.get("data.searched", 0) + written.get("data.viewed", 0):
        raise SystemExit("the accesses by purpose do not add up")
    return statistics.median(seconds), figures


def parts(contract) -> tuple[float, float, list[tuple[float, str]]]:
    """Where the time goes: the ledger's part of the compile, and each control of the open findings."""
    from itaku.provisions.controls import registered
    from itaku.reporting.compile import ledger_figures

    started = time.perf_counter()
    ledger_figures(contract, last_month())
    ledger = time.perf_counter() - started
    controls = []
    for ctl in registered():
        started = time.perf_counter()
        list(ctl.check(contract))
        controls.append((time.perf_counter() - started, ctl.code))
    return ledger, sum(s for s, _ in controls), sorted(controls, reverse=True)


def run(events: int, baseline_events: int, repeats: int, without: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from itaku.provisions import controls as registry

    for code in without:  # a diagnosis: what the compile costs without a control that grows with the ledger
        registry._registry.pop(code)
    from tests.base import World
    from tests.reporting.support import start_months_back

    world = World()
    start_months_back(world, 2)
    baseline = second_contract(world)
    started = time.perf_counter()
    big_written = prepare(world, world.contract, events)
    small_written = prepare(world, baseline, baseline_events)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_event")
    emit("fill_seconds", round(time.perf_counter() - started, 1), "s", events=events + baseline_events)

    timed_compile(world, baseline, small_written, 1)  # warm-up: imports, fonts of nothing, the planner's cache
    small, _ = timed_compile(world, baseline, small_written, repeats)
    big, figures = timed_compile(world, world.contract, big_written, repeats)
    emit("report_compile_seconds", round(big, 3), "s", events=events, baseline_measure="report_compile_seconds",
         baseline_value=round(small, 3), baseline_events=baseline_events, repeats=repeats,
         goal_seconds=GOAL_SECONDS, met=big < GOAL_SECONDS, open_findings=len(figures["open_findings"]),
         without_controls=without)
    small_ledger, small_controls, _ = parts(baseline)
    big_ledger, big_controls, slowest = parts(world.contract)
    emit("report_ledger_seconds", round(big_ledger, 3), "s", events=events, baseline_measure="report_ledger_seconds",
         baseline_value=round(small_ledger, 3), baseline_events=baseline_events)
    emit("report_controls_seconds", round(big_controls, 3), "s", events=events,
         baseline_measure="report_controls_seconds", baseline_value=round(small_controls, 3),
         baseline_events=baseline_events,
         slowest=[{"control": code, "seconds": round(s, 3)} for s, code in slowest[:3]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--baseline-events", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--without", action="append", default=[], metavar="CONTROL",
                        help="leave a registered control out (a diagnosis, not the goal's figure)")
    parser.add_argument("--postgres-url", default=os.environ.get("ITAKU_BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server where a throwaway database may be created and dropped")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itaku.settings")
    with tempfile.TemporaryDirectory(prefix="itaku-report-bench-") as work:
        os.environ["ITAKU_VAR_DIR"] = str(Path(work) / "var")
        with throwaway_postgres(args.postgres_url, f"itaku_report_bench_{os.getpid()}"):
            run(args.events, args.baseline_events, args.repeats, args.without)


if __name__ == "__main__":
    main()
