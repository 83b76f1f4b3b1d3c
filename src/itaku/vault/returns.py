"""The return (返還, article 12): every dataset handed back to the authority as one package.

At the contract's end, or when the supervisor asks (`request_return`), the responsible person builds a return
package (`build_return`): a ZIP holding, per dataset, its records as CSV (UTF-8 with BOM) and XLSX, and a
manifest.json with the datasets, their fields, record counts, each file's SHA-256 and the contract's ledger
head. The package's SHA-256 goes to the ledger (`data.returned_package`) and the package is submitted (kind
"vault.return"). The vault keeps no second copy of the data: the bytes are rebuilt for each download by the
authority's own user (`download_return`, recorded) and must hash exactly as recorded, or the download is
refused. The supervisor confirms receipt (`confirm_receipt`, the submission acknowledged) after a download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any, BinaryIO

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from itaku.contracts.access import roles
from itaku.contracts.models import AUTHORITY_ROLES, Contract, Role
from itaku.ledger import chain as canonical
from itaku.ledger.models import Chain, Event
from itaku.ledger.services import last_event, record
from itaku.lib.errors import UserError
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.vault import exports
from itaku.vault.models import Dataset, ReturnPackage, ReturnRequest

KIND = "vault.return"
TOPIC = "return"
AFTER_END_DAYS = 30
ON_REQUEST_DAYS = 14
PACKAGE_FORMAT = "itaku return package 1"
MANIFEST = "manifest.json"
FORMULA_GUARD = {
    "ja": "CSVでは、= + - @ ' タブ 改行 などで始まるセルの先頭にアポストロフィ（'）を一つ加えています"
          "（数式として実行させないため）。元の値は、先頭がアポストロフィのセルからそれを一つ除いたものです。"
          "XLSXでは値をそのまま文字列として保存し、該当するセルに「先頭の'」の書式を付けています。",
    "en": "In the CSV, a cell beginning with = + - @ ' a tab or a line break has one apostrophe (') put in front, "
          "so that no spreadsheet runs it as a formula; the original value is the cell without one leading "
          "apostrophe. The XLSX holds every value unchanged as text, such cells carrying Excel's quote prefix.",
}


class ReturnError(UserError):
    """A return step that the rules or the package's state do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _require(by: Any, contract: Contract, allowed: frozenset[str], ja: str, en: str) -> None:
    """One of the roles; the contractor's side of a return is the contractor's own, not a subcontractor's."""
    contractor_side = Role.RESPONSIBLE in allowed and by.organisation_id != contract.contractor_id
    if not set(roles(by, contract)) & allowed or contractor_side:
        raise ReturnError(ja, en)


def _require_supervisor(by: Any, contract: Contract) -> None:
    _require(by, contract, frozenset({Role.SUPERVISOR}), "返還の請求・受領確認は監督職員が行います。",
             "Only a supervisor of the authority asks for the return or confirms its receipt.")


def ended_on(contract: Contract) -> dt.date | None:
    """The day the contract ended: the end of its period, or the day it was ended or terminated if earlier;
    None while it runs."""
    if contract.status in (Contract.Status.ENDED, Contract.Status.TERMINATED):
        closing = last_event(contract.ledger_chain, "contract.ended", "contract.terminated")
        closed = timezone.localtime(closing.time).date() if closing else contract.end
        return min(closed, contract.end)
    if contract.status == Contract.Status.ACTIVE and contract.end < timezone.localdate():
        return contract.end
    return None


def open_request(contract: Contract) -> ReturnRequest | None:
    """The authority's newest request for the return, while no package answers it."""
    latest = ReturnRequest.objects.filter(contract=contract).order_by("-created", "-pk").first()
    if latest is None or latest.packages.exists():
        return None
    return latest


def request_return(by: Any, contract: Contract) -> ReturnRequest:
    """The supervisor asks for the data back now (article 12: 甲が請求したとき)."""
    _require_supervisor(by, contract)
    if contract.status == Contract.Status.DRAFT:
        raise ReturnError("有効になっていない契約です。", "The contract is not in force.")
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=contract.pk)  # one open request at a time
        pending = open_request(contract)
        if pending is not None:
            on = timezone.localtime(pending.created)
            raise ReturnError(f"{on:%Y-%m-%d}に請求済みで、返還パッケージはまだ作成されていません。",
                              f"The return was asked for on {on:%Y-%m-%d} and its package is not yet built.")
        request = ReturnRequest.objects.create(contract=contract, requested_by=by)
        record("vault.return_requested", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"request": request.pk})
        return request


class _Digest:
    """A write-through stream that hashes and counts what passes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.sha256, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.out.write(data)


def _file(name: str, fmt: exports.Format, sha256: str, size: int) -> dict[str, Any]:
    return {"name": name, "format": fmt.value, "sha256": sha256, "size": size}


def _build(package: ReturnPackage) -> tuple[bytes, list[int]]:
    """The package's bytes and each dataset's record count; the same data gives the same bytes."""
    contract = package.contract
    ids = [entry["dataset"] for entry in package.datasets]
    datasets = {d.pk: d for d in Dataset.objects.filter(contract=contract, pk__in=ids)}
    described, counts = [], []
    buffer = io.BytesIO()
    with exports.StampedZip(buffer, package.built_at) as archive:
        for dataset in (datasets[pk] for pk in ids):
            if dataset.is_disposed:
                raise ReturnError(f"個人情報ファイル「{dataset.name}」は作成後に廃棄されたため、"
                                  "返還パッケージを再現できません。",
                                  f"The dataset “{dataset.name}” was disposed of after the package was built; "
                                  "the package can no longer be produced.")
            fields = list(dataset.fields.order_by("position"))
            header = [f.name for f in fields]
            csv_name, xlsx_name = f"dataset-{dataset.pk}.csv", f"dataset-{dataset.pk}.xlsx"
            xlsx = io.BytesIO()
            with archive.open(archive.entry(csv_name), "w") as entry:
                csv_stream = _Digest(entry)
                with exports.CsvOutput(csv_stream, header, fmt=exports.Format.CSV_UTF8) as csv_out, \
                        exports.XlsxOutput(xlsx, header, created=package.built_at,
                                           sheet=f"dataset-{dataset.pk}") as xlsx_out:
                    with closing(exports.dataset_rows(dataset, fields)) as rows:
                        for row in rows:
                            csv_out.add(row)
                            xlsx_out.add(row)
                    records = csv_out.close()
                    xlsx_out.close()
            archive.writestr(xlsx_name, xlsx.getvalue())
            counts.append(records)
            described.append({
                "id": dataset.pk, "name": dataset.name, "source": dataset.source, "specific": dataset.is_specific,
                "records": records,
                "fields": [{"position": f.position, "name": f.name, "kind": f.kind, "special_care": f.special_care}
                           for f in fields],
                "files": [_file(csv_name, exports.Format.CSV_UTF8, csv_stream.sha256.hexdigest(), csv_stream.size),
                          _file(xlsx_name, exports.Format.XLSX, hashlib.sha256(xlsx.getvalue()).hexdigest(),
                                len(xlsx.getvalue()))],
            })
        disposed = Dataset.objects.filter(contract=contract, status=Dataset.Status.DISPOSED,
                                          created__lte=package.built_at).order_by("pk")
        manifest = {
            "format": PACKAGE_FORMAT, "package": package.code,
            "contract": {"id": contract.pk, "number": contract.number},
            "built_at": timezone.localtime(package.built_at).isoformat(),
            "ledger": {"chain": contract.ledger_chain, "head_seq": package.ledger_seq,
                       "head_hash": package.ledger_hash},
            "datasets": described,
            "disposed_datasets": [{"id": d.pk, "name": d.name} for d in disposed],
            "formula_guard": FORMULA_GUARD,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return buffer.getvalue(), counts


def build_return(by: Any, contract: Contract) -> ReturnPackage:
    """Build the return package of every dataset still holding data, record its hash and submit it."""
    _require(by, contract, frozenset({Role.RESPONSIBLE}), "返還パッケージは受託者の責任者が作成します。",
             "The return package is built by the contractor's responsible person.")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        request = open_request(contract)
        if ended_on(contract) is None and request is None:
            raise ReturnError("返還パッケージは、契約の終了後か委託者から請求があったときに作成します。",
                              "A return package is built after the contract ends or when the authority asks.")
        datasets = list(Dataset.objects.filter(contract=contract, status=Dataset.Status.ACTIVE).order_by("pk"))
        if not datasets:
            raise ReturnError("返還する個人情報ファイルがありません。", "There is no dataset to return.")
        head = Chain.objects.filter(key=contract.ledger_chain).first()
        number = (ReturnPackage.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0) + 1
        package = ReturnPackage(
            contract=contract, number=number, request=request, built_by=by,
            built_at=timezone.now(), datasets=[{"dataset": d.pk} for d in datasets],
            ledger_seq=head.head_seq if head else 0, ledger_hash=head.head_hash if head else canonical.GENESIS,
        )
        data, counts = _build(package)
        package.datasets = [{"dataset": d.pk, "records": n} for d, n in zip(datasets, counts, strict=True)]
        package.sha256, package.size = hashlib.sha256(data).hexdigest(), len(data)
        package.save()
        record("data.returned_package", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"person": by.pk, "package": package.pk, "number": package.code,
                      "datasets": [d.pk for d in datasets], "records": sum(counts),
                      "fields": {str(d.pk): list(d.fields.order_by("position").values_list("name", flat=True))
                                 for d in datasets},
                      "sha256": package.sha256, "size": package.size, "ledger_seq": package.ledger_seq,
                      "request": request.pk if request else None})
        submissions.submit(package, kind=KIND, by=by, chain=contract.ledger_chain, articles=_articles(contract))
        return package


def download_return(by: Any, package: ReturnPackage) -> exports.ExportFile:
    """The package for the authority's own user: rebuilt, checked against its recorded SHA-256, recorded."""
    contract = package.contract
    _require(by, contract, AUTHORITY_ROLES, "返還パッケージを受け取れるのは委託者の監督職員・検査職員です。",
             "Only the authority's supervisors and auditors of the contract receive the return package.")
    with transaction.atomic():
        data, counts = _build(package)
        digest = hashlib.sha256(data).hexdigest()
        if digest != package.sha256:
            raise ReturnError("返還パッケージの作成後にデータが変わっています。"
                              "受託者に新しいパッケージの作成を求めてください。",
                              "The data changed after the package was built; ask the contractor to build a new "
                              "package.")
        record("vault.return_downloaded", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"package": package.pk, "number": package.code, "sha256": digest})
    return exports.ExportFile(f"{package.code}.zip", "application/zip", data, sum(counts))


def downloaded(package: ReturnPackage) -> Event | None:
    """The first download of the package by the authority, if any."""
    return Event.objects.filter(chain=package.contract.ledger_chain, kind="vault.return_downloaded",
                                facts__package=package.pk).order_by("seq").first()


def _pending(package: ReturnPackage) -> Submission:
    pending = submissions.latest(package, KIND)
    if pending is None or not pending.is_open:
        raise ReturnError("受領確認を待っている返還パッケージではありません。",
                          "This return package is not awaiting confirmation of receipt.")
    return pending


def confirm_receipt(by: Any, package: ReturnPackage) -> Submission:
    """The supervisor confirms the authority received the package (the submission acknowledged)."""
    _require_supervisor(by, package.contract)
    pending = _pending(package)
    if downloaded(package) is None:
        raise ReturnError("返還パッケージをダウンロードしてから受領を確認してください。",
                          "Download the return package before confirming its receipt.")
    return submissions.decide(pending, package, by=by, status=Submission.Status.ACKNOWLEDGED)


def send_back(by: Any, package: ReturnPackage, comment: str) -> Submission:
    """The supervisor refuses the package with the reason (incomplete, unreadable …); a new one is built."""
    _require_supervisor(by, package.contract)
    return submissions.decide(_pending(package), package, by=by, status=Submission.Status.RETURNED,
                              comment=comment)


def received(contract: Contract) -> ReturnPackage | None:
    """The newest package whose receipt the authority confirmed."""
    for package in ReturnPackage.objects.filter(contract=contract).order_by("-number"):
        if submissions.accepted(package, KIND) is not None:
            return package
    return None


def _evidence(contract: Contract, *kinds: str) -> tuple[Evidence, ...]:
    event = last_event(contract.ledger_chain, *kinds)
    return (Evidence.event(event),) if event else ()


@control("vault.return_after_end", topics=[TOPIC],
         title_ja="契約終了後の返還", title_en="Return after the contract ends")
def return_after_end(contract: Contract) -> Iterator[Finding]:
    ended = ended_on(contract)
    if ended is None:
        return
    done = received(contract)
    if done is not None:
        yield Finding(State.OK, f"返還パッケージ {done.code} の受領が確認されています。",
                      f"Receipt of the return package {done.code} is confirmed.",
                      (Evidence.object(done, done.code), *_evidence(contract, f"{KIND}.acknowledged")))
        return
    if not Dataset.objects.filter(contract=contract, status=Dataset.Status.ACTIVE).exists():
        return
    due = ended + dt.timedelta(days=AFTER_END_DAYS)
    evidence = _evidence(contract, "contract.ended", "contract.terminated")
    if timezone.localdate() > due:
        yield Finding(State.VIOLATION,
                      f"契約終了（{ended:%Y-%m-%d}）から{AFTER_END_DAYS}日を過ぎても返還の受領が確認されていません。",
                      f"{AFTER_END_DAYS} days after the contract ended ({ended:%Y-%m-%d}), no return is confirmed "
                      "as received.", evidence)
    else:
        yield Finding(State.DUE_SOON, f"契約が終了しました。{due:%Y-%m-%d}までに返還してください。",
                      f"The contract has ended; return the data by {due:%Y-%m-%d}.", evidence)


@control("vault.return_on_request", topics=[TOPIC],
         title_ja="請求による返還", title_en="Return when the authority asks")
def return_on_request(contract: Contract) -> Iterator[Finding]:
    latest = ReturnRequest.objects.filter(contract=contract).order_by("-created", "-pk").first()
    if latest is None:
        return
    package = latest.packages.order_by("number").first()
    asked = timezone.localtime(latest.created).date()
    if package is not None:
        yield Finding(State.OK, f"{asked:%Y-%m-%d}の請求に対して返還パッケージ {package.code} が作成されています。",
                      f"The return package {package.code} answers the request of {asked:%Y-%m-%d}.",
                      (Evidence.object(package, package.code),))
        return
    due = asked + dt.timedelta(days=ON_REQUEST_DAYS)
    evidence = _evidence(contract, "vault.return_requested")
    if timezone.localdate() > due:
        yield Finding(State.OVERDUE,
                      f"{asked:%Y-%m-%d}の返還の請求から{ON_REQUEST_DAYS}日を過ぎても返還パッケージがありません。",
                      f"No return package {ON_REQUEST_DAYS} days after the request of {asked:%Y-%m-%d}.", evidence)
    else:
        yield Finding(State.DUE_SOON,
                      f"{asked:%Y-%m-%d}に返還が請求されています。{due:%Y-%m-%d}までに返還パッケージを作成してください。",
                      f"The return was asked for on {asked:%Y-%m-%d}; build the package by {due:%Y-%m-%d}.", evidence)
