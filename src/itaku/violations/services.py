"""The violations register and the evidence package (article 20): each step one transaction with its event.

`refresh` records what every control finds to be a violation now (and notes the ones no longer found);
`decide` records the authority's decision on one; `evidence_package` hands the authority's legal staff one
ZIP with the register, the documents handed in, the ledger of a period and the verification of its chain.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from itaku.contracts.documents import letterhead
from itaku.contracts.models import Contract, Role
from itaku.contracts.services import evaluate_controls
from itaku.documents.registry import render
from itaku.ledger import chain as canonical
from itaku.ledger.models import Event
from itaku.ledger.services import record, verify_chain
from itaku.lib.errors import UserError
from itaku.provisions.controls import State
from itaku.submissions.models import Attachment
from itaku.violations.models import Decision, Violation

TOPIC = "termination"
PACKAGE_FORMAT = "itaku evidence package 1"


class ViolationError(UserError):
    """A step on the register that the rules do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _key(control: str, message_en: str, evidence: list[dict[str, str]]) -> str:
    return hashlib.sha256(canonical.canonical_bytes(
        {"control": control, "message": message_en, "evidence": [e["ref"] for e in evidence]})).hexdigest()


@dataclass(frozen=True)
class Found:
    control: str
    articles: list[int]
    message_ja: str
    message_en: str
    evidence: list[dict[str, str]]

    @property
    def key(self) -> str:
        return _key(self.control, self.message_en, self.evidence)


def current_violations(contract: Contract) -> list[Found]:
    """Every finding in the violation state of every control, as the controls compute them now."""
    found = []
    for result in evaluate_controls(contract):
        for finding in result.findings:
            if finding.state == State.VIOLATION:
                found.append(Found(result.control.code, list(result.articles), finding.message_ja,
                                   finding.message_en, [{"ref": e.ref, "label": e.label} for e in finding.evidence]))
    return found


def _require_authority(by: Any, contract: Contract, *roles: str) -> None:
    if by.organisation_id != contract.authority_id or not contract.roles.filter(user=by, role__in=roles).exists():
        raise ViolationError("違反の登録簿は委託者の監督職員が扱います。",
                             "The violations register is kept by the authority's supervisors.")


def refresh(by: Any, contract: Contract) -> list[Violation]:
    """Record the violations found now; mark those no longer found; return the whole register."""
    _require_authority(by, contract, Role.SUPERVISOR, Role.AUDITOR)
    found = {f.key: f for f in current_violations(contract)}
    now = timezone.now()
    with transaction.atomic():
        known = {v.key: v for v in Violation.objects.select_for_update().filter(contract=contract)}
        for key, finding in found.items():
            row = known.get(key)
            if row is None:
                row = Violation.objects.create(
                    contract=contract, control=finding.control, articles=finding.articles, key=key,
                    message_ja=finding.message_ja, message_en=finding.message_en, evidence=finding.evidence,
                    recorded_at=now)
                record("violations.recorded", chain=contract.ledger_chain, actor=by, articles=finding.articles,
                       facts={"violation": row.pk, "control": finding.control,
                              "evidence": [e["ref"] for e in finding.evidence]})
            elif row.cleared_at is not None:
                row.cleared_at = None
                row.save(update_fields=["cleared_at"])
                record("violations.found_again", chain=contract.ledger_chain, actor=by, articles=row.articles,
                       facts={"violation": row.pk, "control": row.control})
        for key, row in known.items():
            if key not in found and row.cleared_at is None:
                row.cleared_at = now
                row.save(update_fields=["cleared_at"])
                record("violations.no_longer_found", chain=contract.ledger_chain, actor=by, articles=row.articles,
                       facts={"violation": row.pk, "control": row.control})
    return list(Violation.objects.filter(contract=contract).prefetch_related("decisions"))


def decide(by: Any, violation: Violation, *, kind: str, reason: str) -> Decision:
    """The authority's decision: an instruction, termination, a claim for damages, or dismissal, with reasons."""
    contract = violation.contract
    _require_authority(by, contract, Role.SUPERVISOR)
    if kind not in Decision.Kind.values:
        raise ViolationError("判断の種類を選んでください。", "Choose the kind of decision.")
    if not reason.strip():
        raise ViolationError("判断の理由・内容を記載してください。", "State the reasons for the decision.")
    with transaction.atomic():
        decision = Decision.objects.create(violation=violation, kind=kind, reason=reason.strip(), decided_by=by,
                                           decided_at=timezone.now())
        record("violations.decided", chain=contract.ledger_chain, actor=by,
               articles=sorted({*violation.articles, *_articles(contract)}),
               facts={"violation": violation.pk, "decision": decision.pk, "kind": kind})
        return decision


def register_rows(contract: Contract) -> list[dict[str, Any]]:
    """The register as plain data, oldest first: for its JSON, CSV and PDF."""
    rows = []
    for v in Violation.objects.filter(contract=contract).prefetch_related("decisions").order_by("recorded_at", "pk"):
        decision = v.decision
        rows.append({
            "id": v.pk, "control": v.control, "articles": v.articles, "message_ja": v.message_ja,
            "message_en": v.message_en, "evidence": [e["ref"] for e in v.evidence],
            "recorded_at": timezone.localtime(v.recorded_at).isoformat(timespec="seconds"),
            "cleared_at": timezone.localtime(v.cleared_at).isoformat(timespec="seconds") if v.cleared_at else None,
            "decision": decision.kind if decision else None, "decision_reason": decision.reason if decision else "",
            "decided_at": timezone.localtime(decision.decided_at).isoformat(timespec="seconds") if decision else None,
        })
    return rows


def register_document(contract: Contract) -> dict[str, Any]:
    """Plain data for the 違反等記録簿 PDF."""
    return {"articles": _articles(contract), "rows": register_rows(contract)}


def _register_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["番号", "統制", "条項", "内容", "Finding", "証跡", "登録日時", "解消日時", "判断", "理由",
                     "判断日時"])
    for r in rows:
        writer.writerow([r["id"], r["control"], " ".join(f"第{a}" for a in r["articles"]), r["message_ja"],
                         r["message_en"], " ".join(r["evidence"]), r["recorded_at"], r["cleared_at"] or "",
                         r["decision"] or "", r["decision_reason"], r["decided_at"] or ""])
    return out.getvalue().encode("utf-8-sig")


def _ledger_lines(contract: Contract, start: dt.date, end: dt.date) -> tuple[bytes, int]:
    """The events of the period, one canonical JSON object a line, each with its hash (as verified)."""
    events = Event.objects.filter(chain=contract.ledger_chain, time__date__gte=start, time__date__lte=end)
    lines, count = [], 0
    for event in events.order_by("seq").iterator(chunk_size=2000):
        lines.append(canonical.canonical_bytes({**event.payload(), "hash": event.hash}))
        count += 1
    return b"\n".join(lines) + (b"\n" if lines else b""), count


def evidence_package(by: Any, contract: Contract, start: dt.date, end: dt.date) -> tuple[bytes, str]:
    """The ZIP for the authority's legal staff, and its SHA-256 (recorded in the ledger). Holds the register
    (JSON and CSV), every document handed in under the contract (attachments with their SHA-256), the ledger
    of the period and the verification of the whole chain; never personal data, which stays in the vault."""
    _require_authority(by, contract, Role.SUPERVISOR, Role.AUDITOR)
    if end < start:
        raise ViolationError("期間の終わりが始まりより前です。", "The end of the period is before its start.")
    refresh(by, contract)
    rows = register_rows(contract)
    ledger, events = _ledger_lines(contract, start, end)
    verification = verify_chain(contract.ledger_chain)
    files: dict[str, bytes] = {
        "register.json": json.dumps(rows, ensure_ascii=False, indent=2).encode(),
        "register.csv": _register_csv(rows),
        "register.pdf": render("violations.register", letterhead(contract, "violations.register"),
                               register_document(contract)),
        "ledger.jsonl": ledger,
        "verification.json": json.dumps({**verification.__dict__, "period": [start.isoformat(), end.isoformat()],
                                         "events_in_period": events}, ensure_ascii=False, indent=2).encode(),
    }
    for attachment in Attachment.objects.filter(chain=contract.ledger_chain).order_by("pk"):
        with attachment.file.open("rb") as handle:
            safe = attachment.filename.replace("/", "_").replace("\\", "_")
            files[f"documents/{attachment.pk}-{safe}"] = handle.read()
    manifest = {
        "format": PACKAGE_FORMAT, "contract": contract.number, "period": [start.isoformat(), end.isoformat()],
        "made_at": timezone.localtime().isoformat(timespec="seconds"), "made_by": by.get_username(),
        "chain_ok": verification.ok, "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                                               for name, data in files.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        for name, data in files.items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        record("violations.evidence_package", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"sha256": digest, "period": [start.isoformat(), end.isoformat()], "violations": len(rows),
                      "events": events, "documents": len(files) - 5, "chain_ok": verification.ok})
    return data, digest
