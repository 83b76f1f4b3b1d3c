from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "itaku.accounts"
    verbose_name = _("Organisations and users")

    def ready(self) -> None:
        from itaku.accounts import signals  # noqa: F401  (ledger events for logins)
