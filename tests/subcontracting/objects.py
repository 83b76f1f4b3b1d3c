"""Objects of the subcontracting pages: the URL parameters `tests/test_access.py` fills in, and a chain the
page tests start from (through the real flow: requests approved, logins made, data shared)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itaku.accounts.models import User
from itaku.contracts.models import Party, Role
from itaku.subcontracting import services as subcontracting
from itaku.subcontracting.models import Request
from itaku.vault.models import Dataset, Field, Share
from itaku.vault.services import create_dataset
from tests.base import PASSWORD, World
from tests.subcontracting.support import approved, items, party_of
from tests.vault.test_import import FIELDS

DATASET = "再委託用課税資料抜粋"
UNSHARED_DATASET = "介護保険受給者台帳"  # never shared with any subcontractor
FIRST = "株式会社下請データ"
SIBLING = "株式会社横並び入力"
DRAFT = b"%PDF-1.4 draft subcontract"


@dataclass
class Chain:
    dataset: Dataset
    unshared: Dataset
    names: list[Field]  # 氏名 and 氏名カナ, the fields of the first subcontractor's approval
    first: Request
    party: Party
    sub_responsible: User
    sub_worker: User
    share: Share
    sibling: Request
    sibling_party: Party
    sibling_responsible: User


def person(by: User, world: World, party: Party, username: str, role: str = Role.RESPONSIBLE) -> User:
    return subcontracting.add_person(by, world.contract, party, username=username, display_name=username,
                                     password=PASSWORD, role=role)


def build_chain(world: World) -> Chain:
    """The contractor's two subcontractors side by side: the first with a draft subcontract on file, people
    and the dataset shared (氏名, 氏名カナ); the sibling with people and nothing shared."""
    dataset = create_dataset(world.supervisor, world.contract, name=DATASET, source=Dataset.Source.ENTRUSTED,
                             fields=FIELDS, purposes=["課税"], expected_rows=100)
    unshared = create_dataset(world.supervisor, world.contract, name=UNSHARED_DATASET,
                              source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["介護保険"], expected_rows=100)
    names = list(dataset.fields.filter(name__in=["氏名", "氏名カナ"]).order_by("position"))
    first = subcontracting.save_request(
        world.responsible, world.contract, items(world, FIRST), [(dataset, names)],
        draft_subcontract=SimpleUploadedFile("draft-subcontract.pdf", DRAFT, "application/pdf"))
    subcontracting.submit_request(world.responsible, first)
    subcontracting.decide(world.supervisor, first, approve=True)
    first.refresh_from_db()
    party = party_of(first)
    sub_responsible = person(world.responsible, world, party, "sub_resp")
    sub_worker = person(sub_responsible, world, party, "sub_worker", Role.WORKER)
    share = subcontracting.share(world.responsible, world.contract, party, dataset, names, None)
    sibling = approved(world, world.responsible, name=SIBLING, work="封入封緘作業")
    sibling_party = party_of(sibling)
    sibling_responsible = person(world.responsible, world, sibling_party, "sibling_resp")
    return Chain(dataset, unshared, names, first, party, sub_responsible, sub_worker, share, sibling, sibling_party,
                 sibling_responsible)


def url_params(world: World) -> dict[str, int]:
    built = build_chain(world)
    supervision = subcontracting.record_supervision(world.responsible, world.contract, built.party,
                                                    held_on=timezone.localdate(), method="on_site",
                                                    findings="施錠管理を確認した。", issue_found=True)
    report = subcontracting.ask_report(world.supervisor, world.contract, built.party,
                                       question="作業状況を報告すること。", due_on=timezone.localdate())
    return {"request_id": built.first.pk, "number": 1, "attachment": built.first.draft_subcontract_id,
            "party": built.party.pk, "share": built.share.pk, "supervision": supervision.pk, "report": report.pk}
