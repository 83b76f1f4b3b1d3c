from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "itaku.reporting"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.contracts.access import Perm
        from itaku.reporting import controls, documents  # noqa: F401  (register controls and documents)

        sections.register("reporting:index", _("Reports"), perm=Perm.VIEW_CONTROLS, order=70, subcontractors=False)
        sections.register("reporting:emergency", _("Emergency report procedure"), order=71)
