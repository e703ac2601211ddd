from django.core.management.base import BaseCommand

from portal import services, sso_services


class Command(BaseCommand):
    help = (
        "Encrypt every stored TOTP secret, recovery-code seed and identity provider client "
        "secret with MFA_ENCRYPTION_KEY: "
        "after a key rotation (old keys in MFA_ENCRYPTION_OLD_KEYS) or for plain-text ones."
    )

    def handle(self, *args, **options):
        count = services.mfa_secrets_reencrypt()
        self.stdout.write(
            self.style.SUCCESS(f"{count} authenticator(s) re-encrypted with the current key.")
        )
        count = sso_services.identity_provider_secrets_reencrypt()
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} identity provider secret(s) re-encrypted with the current key."
            )
        )
