from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "itaku.places"
    verbose_name = _("Work locations")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.places import controls, documents  # noqa: F401  (register article 15's controls and report)

        sections.register("places:index", _("Work locations"), order=60)
