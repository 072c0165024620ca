from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hikeshi.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from hikeshi.accounts.signals import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="hikeshi.accounts.record_lockout")
