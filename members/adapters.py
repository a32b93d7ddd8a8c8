from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import transaction

from core.mail import message_to_payload, site
from core.tasks import email_send
from members.mfa import secret_decrypt, secret_encrypt


class AccountAdapter(DefaultAccountAdapter):
    """Account emails are rendered here and sent by a Celery worker, so a slow mail server
    never holds up a sign-up or a password reset."""

    def send_mail(self, template_prefix, email, context):
        # What allauth's own send_mail adds: its templates name the site and the recipient.
        context = {"email": email, "current_site": site(), **context}
        message = self.render_mail(template_prefix, email, context)
        payload = message_to_payload(message)
        transaction.on_commit(lambda: email_send.delay(payload))


class MfaAdapter(DefaultMFAAdapter):
    """Two-factor secrets are stored encrypted (members/mfa.py, PEERNET_MFA_KEYS)."""

    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
