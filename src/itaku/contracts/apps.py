from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "itaku.contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from itaku.contracts import controls  # noqa: F401  (registers article 1's controls)
        from itaku.contracts.models import Contract
        from itaku.ledger.services import register_resolver

        def chain_of(number: str) -> str | None:
            contract = Contract.objects.filter(number=number).first()
            return contract.ledger_chain if contract else None

        register_resolver(chain_of)
