from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "itaku.rules"
    verbose_name = _("Internal rules")
