"""Demo data: Shinagawa City, two contractors, a subcontractor and three contracts under its provisions.

Everything goes through the same services as the UI, so the demo ledger is a real one.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from itaku.accounts import services as accounts
from itaku.accounts.models import Organisation, User
from itaku.contracts import services as contracts
from itaku.contracts.models import Contract, Party, Role
from itaku.incidents import services as incidents
from itaku.incidents.models import Incident
from itaku.inspections import services as inspections
from itaku.people import services as people
from itaku.places import services as places
from itaku.portal import juki
from itaku.provisions.services import import_version
from itaku.provisions.topics import shinagawa_text
from itaku.reporting import services as reporting
from itaku.rules import services as rules
from itaku.subcontracting import services as subcontracting
from itaku.takeouts import services as takeouts
from itaku.training import services as training
from itaku.vault import collection
from itaku.vault.models import Dataset
from itaku.vault.services import FieldSpec, create_dataset, import_file

DEMO_PASSWORD = "itaku-demo-2025"  # noqa: S105  (published on purpose; demo accounts only log in with ITAKU_DEMO=1)


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    organisation: str
    role: str


PEOPLE = {
    "品川区": ("authority", "東京都品川区広町2-1-36", "品川区長", [
        ("yamada", "山田 花子", "supervisor"), ("kato", "加藤 健太", "supervisor"), ("sasaki", "佐々木 恵", "auditor"),
    ]),
    "株式会社東京データサービス": ("contractor", "東京都港区芝浦3-4-1", "代表取締役 中村 隆", [
        ("tanaka", "田中 一郎", "responsible"), ("suzuki", "鈴木 美咲", "worker"), ("takahashi", "髙橋 翔", "worker"),
    ]),
    "株式会社品川情報処理センター": ("contractor", "東京都品川区大崎1-11-2", "代表取締役 渡部 修", [
        ("ito", "伊藤 誠", "responsible"), ("watanabe", "渡辺 由美", "worker"),
    ]),
    "有限会社大井入力サービス": ("subcontractor", "東京都品川区大井4-2-8", "取締役 小林 大輔", [
        ("kobayashi", "小林 大輔", "responsible"), ("matsumoto", "松本 彩", "worker"),
    ]),
}

def contracts_for(today: dt.date) -> list[tuple]:
    """Three contracts in the fiscal year (April to March) that contains `today`, so the demo never ages."""
    fy = today.year if today.month >= 4 else today.year - 1
    start, end = dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return [
        (f"品委第{fy}-0412号", "住民税課税資料のデータ入力業務", "税務課", "株式会社東京データサービス",
         start, end, ["suzuki", "takahashi"], "active"),
        (f"品委第{fy}-0588号", "国民健康保険被保険者証の印刷・封入封緘業務", "国保医療年金課",
         "株式会社品川情報処理センター", start, dt.date(fy + 2, 3, 31), ["watanabe"], "active"),
        (f"品委第{fy}-0107号", "介護保険要介護認定調査票の入力業務", "高齢者福祉課", "株式会社東京データサービス",
         next_month, end, ["suzuki"], "draft"),
    ]


def role_of(username: str) -> str:
    """The demo role a login was made for, to print beside it."""
    return next((role for *_, people in PEOPLE.values() for u, _, role in people if u == username), "")


class DemoError(RuntimeError):
    """The database already holds data: the demo loads only into an empty one."""


def load() -> list[Login]:
    """Load the demo into an empty database and return the logins to print."""
    if Organisation.objects.exists():
        raise DemoError("the database is not empty / データベースが空ではありません")
    logins: list[Login] = []
    users: dict[str, User] = {}
    with transaction.atomic():
        orgs: dict[str, Organisation] = {}
        for org_name, (kind, address, representative, people) in PEOPLE.items():
            orgs[org_name] = accounts.add_organisation(
                None, name=org_name, kind=kind, address=address, representative=representative,
            )
            for username, name, role in people:
                users[username] = accounts.add_user(
                    None, organisation=orgs[org_name], username=username, display_name=name,
                    password=DEMO_PASSWORD, is_demo=True,
                )
                logins.append(Login(username, name, org_name, role))
        authority = orgs["品川区"]
        version = import_version(
            authority, shinagawa_text().encode(), "shinagawa.txt", label="品川区 特記事項（標準）", by=users["yamada"],
        )
        for number, title, department, contractor, start, end, workers, status in contracts_for(timezone.localdate()):
            contract = contracts.create_contract(
                users["yamada"], number=number, title=title, contractor=orgs[contractor], start=start, end=end,
                department=department, provisions=version,
            )
            responsible = next(users[u] for u, _, role in PEOPLE[contractor][3] if role == "responsible")
            contracts.assign_role(users["yamada"], contract, users["sasaki"], Role.AUDITOR)
            contracts.assign_role(users["yamada"], contract, users["kato"], Role.SUPERVISOR)
            contracts.assign_role(users["yamada"], contract, responsible, Role.RESPONSIBLE)
            for worker in workers:
                contracts.assign_role(responsible, contract, users[worker], Role.WORKER)
            if status == "active":
                contracts.acknowledge_provisions(responsible, contract)
                contract = contracts.decide_acknowledgement(users["yamada"], contract, approve=True)
                _prepare(contract, responsible, [users[w] for w in workers], users["yamada"])
                _oversight(contract, responsible, users)
                if contractor == "株式会社東京データサービス":
                    dataset = _juki_dataset(contract, responsible)
                    _subcontractor(contract, responsible, users, dataset)
                    _open_incident(contract, users["suzuki"], responsible)
                elif contractor == "株式会社品川情報処理センター":
                    _closed_incident(contract, users[workers[0]], responsible, users["yamada"])
    return logins


RULES_TEXT = """個人情報保護管理規程

第1条（目的）この規程は、当社が受託業務において取り扱う個人情報の適正な管理のために必要な事項を定める。
第2条（管理責任者）代表取締役は、個人情報保護管理責任者を任命する。
第3条（教育）管理責任者は、従業者に対し年1回以上の研修を実施する。
第4条（持出し）個人情報は、委託者の許可なく作業場所から持ち出してはならない。
"""


def _prepare(contract: Contract, responsible: User, workers: list[User], supervisor: User) -> None:
    """Articles 2, 3, 4, 5 and 15 in place, so the demo workers may handle data; one worker's training has
    lapsed, so the eligibility page shows a refusal with its reason. The party is the responsible person's
    organisation: the contractor, or a subcontractor passing the same gates."""
    today = timezone.localdate()
    party = responsible.organisation
    version = people.save_version(
        responsible, contract, organisation=party, responsible=responsible,
        responsible_scope="受託業務における個人情報の管理全般",
        description="責任者が業務従事者を監督し、入力作業は施錠された専用作業室でのみ行う。"
                    "作業記録は日次で責任者が確認する。",
        members=[(worker, "個人情報のデータ入力・照合") for worker in workers],
    )
    people.submit_version(responsible, version)
    people.decide_version(supervisor, version, acknowledge=True)
    course = training.add_course(
        responsible, contract, title=f"個人情報保護・情報セキュリティ研修（年次・{party.name}）",
        summary="個人情報保護法、情報セキュリティ、本件特記事項、業務手順",
        topics=[code for code, *_ in training.TOPICS],
    )
    for index, person in enumerate([responsible, *workers]):
        lapsed = index == 2  # the second worker of the first contract: training more than a year old
        completed = today - dt.timedelta(days=400 if lapsed else 60)
        training.record_completion(responsible, contract, person=person, course=course, completed_on=completed,
                                   passed=True)
        if people.valid_pledge(person) is None:
            people.accept_pledge(person, contract)
    location = places.add_location(
        responsible, contract, organisation=party, name="本社 データ入力室", address=party.address,
        room="5階 501室", networks=["127.0.0.0/8", "::1/128"],
        storage="itaku の保管庫（暗号化）。紙の帳票は施錠書庫。",
        safeguards="ICカードによる入退室管理、監視カメラ、私物の持込禁止",
    )
    places.report_location(responsible, location)
    places.decide_location(supervisor, location, acknowledge=True)
    rules_version = rules.upload_version(
        responsible, contract, organisation=party, title="個人情報保護管理規程",
        document_date=dt.date(today.year, 4, 1),
        upload=SimpleUploadedFile("rules.txt", RULES_TEXT.encode(), content_type="text/plain"),
    )
    rules.submit_version(responsible, rules_version)
    rules.decide_version(supervisor, rules_version, acknowledge=True)


def _subcontractor(contract: Contract, responsible: User, users: dict[str, User], dataset: Dataset) -> None:
    """Article 8: the contractor passes part of the entry work to 有限会社大井入力サービス, approved as
    requested; it passes the same gates and is shared the name and address fields of the extract."""
    supervisor = users["yamada"]
    sub_responsible, sub_worker = users["kobayashi"], users["matsumoto"]
    organisation = sub_responsible.organisation
    shared = list(dataset.fields.filter(name__in=["宛名番号", "氏名", "氏名カナ", "住所"]))
    request = subcontracting.save_request(responsible, contract, subcontracting.Items(
        work="住民税課税資料のうち紙の申告書の入力（パンチ）業務", subcontractor_name=organisation.name,
        subcontractor_address=organisation.address, subcontractor_representative=organisation.representative,
        subsidiary=False, start=contract.start, end=contract.end,
        necessity="申告期（1月〜3月）の入力量が自社の体制を超えるため。",
        safeguards="本契約の特記事項と同等の安全管理措置（施錠室での作業、研修、誓約書、持出し禁止）を再委託契約で義務付ける。",
        supervision_method="毎月の作業報告書の確認と四半期ごとの立入確認。", supervision_months=3,
    ), [(dataset, shared)])
    subcontracting.submit_request(responsible, request)
    subcontracting.decide(supervisor, request, approve=True)
    request.refresh_from_db()
    party = Party.objects.get(pk=request.party_id)
    contracts.assign_role(responsible, contract, sub_responsible, Role.RESPONSIBLE)
    contracts.assign_role(sub_responsible, contract, sub_worker, Role.WORKER)
    _prepare(contract, sub_responsible, [sub_worker], supervisor)
    subcontracting.share(responsible, contract, party, dataset, shared, None)
    subcontracting.record_supervision(responsible, contract, party, held_on=timezone.localdate(), method="documents",
                                      findings="作業報告書を確認。入力室の施錠記録に不備なし。")


def _oversight(contract: Contract, responsible: User, users: dict[str, User]) -> None:
    """Articles 14, 16 and 17 set up as a city does at the start: permitted take-out destinations, monthly
    reports, the emergency contacts of both sides, and an on-site inspection scheduled next month."""
    supervisor = users["yamada"]
    takeouts.add_destination(supervisor, contract, name=f"{contract.authority.name}役所 {contract.department}",
                             kind="authority_office", address=contract.authority.address,
                             conditions="受渡しは職員の立会いのもとで行う。")
    takeouts.add_destination(supervisor, contract, name="品川区指定 データセンター（東品川）", kind="data_centre",
                             address="東京都品川区東品川2-2-20", conditions="施錠ケースで運搬し、受領書を得る。")
    reporting.set_schedule(supervisor, contract, frequency="monthly")
    reporting.add_contact(responsible, contract, name=str(responsible), organisation=contract.contractor.name,
                          role="責任者", phone="03-5555-0101", email="sekinin@example.jp")
    reporting.add_contact(supervisor, contract, name=str(supervisor), organisation=contract.authority.name,
                          role="監督職員", phone="03-3777-1111", email="kantoku@city.example.jp")
    reporting.save_channels(supervisor, contract, "まず電話で第一報、続いて電子メールで概要を送り、"
                                                  "書面（事故報告書）は当日中に提出する。")
    inspections.schedule(supervisor, contract, party=contract.contractor, kind="on_site",
                         held_on=timezone.localdate() + dt.timedelta(days=30), scope="作業場所・保管状況の確認",
                         inspectors=[supervisor, users["sasaki"]])


PUBLISHED_TITLE = "国民健康保険被保険者証の誤封入について"
PUBLISHED_SUMMARY = (
    "区が委託している国民健康保険被保険者証の封入封緘作業において、1通の封筒に2名分の被保険者証が封入され、"
    "発送されました。誤って届いた被保険者証は回収し、対象の方には個別に説明とお詫びをしました。"
    "委託先では封入封緘機の点検手順を見直し、再発防止策を講じています。"
)


def _open_incident(contract: Contract, worker: User, responsible: User) -> Incident:
    """Article 18 as it starts: a worker notifies a suspected loss at once, and the responsible person has
    begun the written report (not yet submitted), so its countdown and the report form show."""
    incident = incidents.raise_incident(worker, contract, kind=Incident.Kind.SUSPECTED,
                                        summary="入力作業中の申告書1枚の所在が確認できない。作業室内を捜索中。")
    return incidents.save_report(
        responsible, incident, what_happened="入力済み申告書の枚数照合で、1枚不足していることが判明した。",
        found_on=timezone.localdate(), found_by="業務従事者（枚数照合時）", data_items="氏名、住所、所得金額",
        media="紙（申告書）", containment="入力作業を一時停止し、作業室と施錠書庫を捜索している。",
    )


def _closed_incident(contract: Contract, worker: User, responsible: User, supervisor: User) -> Incident:
    """Articles 18 and 19 to the end: notified, reported and acknowledged, an instruction answered and
    acknowledged, the people affected informed, closed, and its summary published (the demo's /published/)."""
    today = timezone.localdate()
    incident = incidents.raise_incident(worker, contract, kind=Incident.Kind.OCCURRED,
                                        summary="被保険者証の封入封緘作業で、1通の封筒に2名分の被保険者証が封入され発送された。")
    incidents.save_report(
        responsible, incident, what_happened="封入封緘機で1通の封筒に2名分の被保険者証が封入され、そのまま発送された。",
        occurred_on=today, found_on=today, found_by="受け取った方から区への連絡",
        cause="封入封緘機の厚み検知の設定漏れ",
        data_items="氏名、住所、被保険者記号・番号", media="紙（被保険者証）", people_count=2,
        containment="誤って届いた被保険者証を回収し、同日発送分を全数点検した。",
        recurrence_done="厚み検知の設定を作業前点検項目に追加した。",
        recurrence_planned="封入後の重量検査を二人で行う。",
    )
    incidents.submit_report(responsible, incident)
    incidents.decide_report(supervisor, incident, accept=True)
    instruction = incidents.issue_instruction(supervisor, incident, due_on=today + dt.timedelta(days=7),
                                              text="同日発送分の全数点検の結果と、再発防止策の実施状況を報告すること。")
    incidents.answer_instruction(responsible, instruction,
                                 answer="同日発送分を全数点検し、他に誤封入はなかった。点検手順は改訂済み。")
    incidents.decide_answer(supervisor, instruction, accept=True)
    incidents.record_statutory(supervisor, incident, people_informed_on=today,
                               people_informed_how="職員が訪問して説明し、お詫びした。")
    incidents.close(supervisor, incident, note="再発防止策の実施を確認した。")
    incidents.publish(supervisor, incident, title=PUBLISHED_TITLE, summary=PUBLISHED_SUMMARY)
    return incident


JUKI_DATASET = "住民基本台帳抜粋"
JUKI_ROWS = 50
# 20 further made-up residents in CP932, as a city's system exports them, for trying an import in the demo;
# written by juki.write(JUKI_SAMPLE, 20, seed=11, first=1_000_000_051).
JUKI_SAMPLE = Path(__file__).resolve().parent / "samples" / "juki-sample.csv"


def _juki_dataset(contract: Contract, responsible: User) -> Dataset:
    """The 住民基本台帳 extract the city hands over (article 11): declared, received, imported through the
    services; its My Number field makes it specific personal information."""
    today = timezone.localdate()
    dataset = create_dataset(
        responsible, contract, name=JUKI_DATASET, source=Dataset.Source.ENTRUSTED,
        fields=[FieldSpec(**spec) for spec in juki.FIELDS], purposes=["住民税課税資料の入力・照合"],
        expected_rows=10_000,
    )
    collection.record_handover(responsible, dataset, received_on=today - dt.timedelta(days=3),
                               received_from=f"{contract.authority.name} {contract.department}",
                               medium="暗号化USBメモリ（パスワード別送）", count=JUKI_ROWS)
    text = ",".join(juki.HEADER) + "\r\n" + "".join(",".join(row) + "\r\n" for row in juki.rows(JUKI_ROWS))
    report = import_file(responsible, dataset, io.BytesIO(text.encode("cp932")))
    if not report.ok:  # the generator's rows are valid by construction; a failure here is a bug, loudly
        raise RuntimeError("; ".join(str(error) for error in report.errors))
    return dataset
