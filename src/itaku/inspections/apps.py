from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "itaku.inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.contracts.access import Perm
        from itaku.inspections import controls, documents  # noqa: F401  (register controls and documents)

        sections.register("inspections:index", _("Inspections"), perm=Perm.VIEW_CONTROLS, order=80)
