from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubcontractingConfig(AppConfig):
    name = "itaku.subcontracting"
    verbose_name = _("Subcontracting")

    def ready(self) -> None:
        from itaku.contracts import panels, sections
        from itaku.subcontracting import controls, documents, tree  # noqa: F401  (register controls and documents)

        sections.register("subcontracting:index", _("Subcontracting"), order=60)
        panels.register("subcontracting/_chain_panel.html", tree.panel, order=60)
