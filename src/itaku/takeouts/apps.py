from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakeoutsConfig(AppConfig):
    name = "itaku.takeouts"
    verbose_name = _("Take-outs")
