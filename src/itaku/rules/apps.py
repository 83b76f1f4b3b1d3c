from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "itaku.rules"
    verbose_name = _("Internal rules")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.rules import controls  # noqa: F401  (registers article 5's controls)

        sections.register("rules:index", _("Internal rules"), order=50)
