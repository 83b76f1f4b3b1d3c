from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "itaku.incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from itaku.contracts import panels, sections
        from itaku.incidents import controls, documents, panel  # noqa: F401  (register controls and documents)

        sections.register("incidents:index", _("Incidents"), order=85)
        panels.register("incidents/_panel.html", panel.context, order=20)
