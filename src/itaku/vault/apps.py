from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "itaku.vault"
    verbose_name = _("Vault")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.vault import collection, controls, copies, disposal, returns  # noqa: F401  (controls, documents)

        sections.register("vault:index", _("Datasets"), order=70)
        sections.register("vault:copies", _("Copies"), order=72, subcontractors=False)
        sections.register("vault:returns", _("Return"), order=74, subcontractors=False)
        sections.register("vault:disposal", _("Disposal"), order=76, subcontractors=False)
