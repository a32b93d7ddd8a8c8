"""Reading settings from the environment: the only place where deployments differ."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def mailer_from_url(url: str) -> dict:
    """Turn EMAIL_URL into one MAILERS entry.

    smtp://user:pass@host:port (plain, STARTTLS if ?tls=1), smtp+tls://… (STARTTLS),
    smtp+ssl://… (implicit TLS), file:///absolute/folder (one .eml file per message, read
    at /dev/mail/ when debugging), console://, locmem://, dummy://.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ImproperlyConfigured(
                f"EMAIL_URL {url!r} needs an absolute folder: file:///path/to/mail."
            )
        return {
            "BACKEND": "core.dev_mail.EmlBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"BACKEND": simple[scheme]}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not supported; use smtp://, smtp+tls://, "
            "smtp+ssl://, file:/// or console://."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options: dict = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if scheme in {"smtp+ssl", "smtps"} else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": scheme == "smtp+tls" or query.get("tls") in TRUE,
        "use_ssl": scheme in {"smtp+ssl", "smtps"},
        "timeout": int(query.get("timeout", "20")),
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
