"""Every change to a contract: one function, one transaction, one ledger event (Zulip style)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from itaku.contracts.models import Contract, ContractRole, Role
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.provisions.controls import Result, evaluate
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.validation import user_error

ACKNOWLEDGEMENT = "contract.provisions"


class ContractError(UserError):
    """A contract step that its state or the rules do not allow."""


def _articles(contract: Contract, topic: str = "protection") -> list[int]:
    return contract.articles_for(topic)


def _validated(contract: Contract) -> None:
    try:
        contract.full_clean()
    except ValidationError as exc:
        error = user_error(exc, "契約の内容に誤りがあります", "The contract is not valid", Contract)
        raise ContractError(error.message_ja, error.message_en) from None


def create_contract(
    by: Any, *, number: str, title: str, contractor: Any, start: dt.date, end: dt.date,
    department: str = "", provisions: Any = None,
) -> Contract:
    """An authority user drafts a contract and becomes its first supervisor."""
    if by.organisation is None or not by.organisation.is_authority:
        raise ContractError("契約を作成できるのは委託者の職員だけです。", "Only authority staff can create contracts.")
    with transaction.atomic():
        contract = Contract(
            number=number.strip(), title=title.strip(), department=department.strip(), authority=by.organisation,
            contractor=contractor, start=start, end=end, provisions=provisions,
            laws=list(provisions.laws) if provisions else [],
        )
        _validated(contract)
        contract.save()
        ContractRole.objects.create(contract=contract, user=by, role=Role.SUPERVISOR)
        record(
            "contract.created", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
            facts={"contract": contract.pk, "number": contract.number, "authority": contract.authority_id,
                   "contractor": contract.contractor_id, "start": start.isoformat(), "end": end.isoformat(),
                   "provisions": contract.provisions_id, "laws": len(contract.laws)},
        )
        record(
            "contract.role_assigned", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
            facts={"user": by.pk, "role": Role.SUPERVISOR},
        )
        return contract


def attach_provisions(by: Any, contract: Contract, version: Any) -> Contract:
    """Annex a provisions version to a draft; the laws of its article 1 become the contract's laws."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if not contract.is_draft:
            raise ContractError(
                "下書きの契約にだけ特記事項を添付できます。", "Provisions can only be attached to a draft.",
            )
        contract.provisions, contract.laws = version, list(version.laws)
        _validated(contract)
        contract.save(update_fields=["provisions", "laws"])
        record(
            "contract.provisions_attached", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
            facts={"provisions": version.pk, "text_sha256": version.text_sha256, "laws": len(contract.laws)},
        )
        return contract


def assign_role(by: Any, contract: Contract, user: Any, role: str) -> ContractRole:
    """Give a person a role; the side of the role must match their organisation (model invariant)."""
    with transaction.atomic():
        assignment = ContractRole(contract=contract, user=user, role=role)
        try:
            assignment.full_clean()
        except ValidationError as exc:
            error = user_error(exc, "役割を割り当てられません", "Cannot assign the role")
            raise ContractError(error.message_ja, error.message_en) from None
        assignment.save()
        record(
            "contract.role_assigned", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
            facts={"user": user.pk, "role": role},
        )
        return assignment


def acknowledge_provisions(by: Any, contract: Contract) -> Submission:
    """The contractor's responsible person acknowledges the annexed provisions, period and laws."""
    if not contract.is_draft or not contract.provisions_id:
        raise ContractError(
            "特記事項が添付された下書きの契約だけが確認の対象です。",
            "Only a draft with provisions attached can be acknowledged.",
        )
    return submissions.submit(
        contract, kind=ACKNOWLEDGEMENT, by=by, chain=contract.ledger_chain, articles=_articles(contract),
    )


def decide_acknowledgement(by: Any, contract: Contract, *, approve: bool, comment: str = "") -> Contract:
    """The supervisor activates the contract on the acknowledgement, or returns it with a reason."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        pending = submissions.latest(contract, ACKNOWLEDGEMENT)
        if pending is None or not pending.is_open:
            raise ContractError("判断待ちの確認がありません。", "There is no acknowledgement awaiting a decision.")
        status = Submission.Status.APPROVED if approve else Submission.Status.RETURNED
        submissions.decide(pending, contract, by=by, status=status, comment=comment)
        if approve:
            contract.status = Contract.Status.ACTIVE
            contract.save(update_fields=["status"])
            record(
                "contract.activated", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
                facts={"submission": pending.pk, "provisions": contract.provisions_id},
            )
        return contract


def end_contract(by: Any, contract: Contract) -> Contract:
    """Close an active contract at the end of its work; duties of confidentiality go on (article 4)."""
    return _close(by, contract, Contract.Status.ENDED, "contract.ended", "protection", "")


def terminate_contract(by: Any, contract: Contract, reason: str) -> Contract:
    """Terminate for a violation (article 20); the reason is required."""
    if not reason.strip():
        raise ContractError("解除の理由が必要です。", "A termination needs a reason.")
    return _close(by, contract, Contract.Status.TERMINATED, "contract.terminated", "termination", reason.strip())


def _close(by: Any, contract: Contract, status: str, kind: str, topic: str, reason: str) -> Contract:
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status != Contract.Status.ACTIVE:
            raise ContractError(
                "有効な契約だけを終了・解除できます。", "Only an active contract can be ended or terminated.",
            )
        contract.status, contract.closing_reason = status, reason
        contract.save(update_fields=["status", "closing_reason"])
        record(kind, chain=contract.ledger_chain, actor=by, articles=_articles(contract, topic),
               facts={"has_reason": bool(reason)})
        return contract



def evaluate_controls(contract: Contract) -> list[Result]:
    """Every registered control on this contract, with the contract's own article numbers."""
    topics = contract.provisions.topics_by_article() if contract.provisions_id else {}
    return evaluate(contract, topics)
