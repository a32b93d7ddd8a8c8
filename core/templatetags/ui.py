"""The design system's small pieces that need a little logic: `{% icon %}` and `{% avatar %}`.
The rest of the components are CSS classes and templates under templates/components/ (every
one is shown at /styleguide/)."""

import zlib

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

AVATAR_TONES = 6
AVATAR_SIZES = {"small": " avatar-small", "large": " avatar-large", "": ""}


@register.simple_tag
def icon(name: str, label: str = "", extra_class: str = ""):
    """A Lucide icon from the sprite. Decorative (hidden from screen readers) unless `label`
    names it; an icon-only control gives the name to the control instead (aria-label)."""
    classes = f"icon {extra_class}".strip()
    href = f"{static('icons/sprite.svg')}#{name}"
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}"><use href="{}"></use></svg>',
            classes,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
        classes,
        href,
    )


def initials(name: str) -> str:
    """Up to two letters: the first of the first and last word ("Ada King" -> "AK")."""
    words = [w for w in name.replace("@", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


@register.simple_tag
def avatar(name: str, photo_url: str = "", size: str = ""):
    """A round photo, or the person's initials on a colour picked from their name (stable, so
    the same person always looks the same). The name is nearby as text, so the picture is
    decorative (empty alt) and the initials are hidden from screen readers."""
    size_class = AVATAR_SIZES.get(size, "")
    if photo_url:
        return format_html(
            '<img class="avatar{}" src="{}" alt="" width="96" height="96" loading="lazy">',
            size_class,
            photo_url,
        )
    tone = zlib.crc32(name.encode()) % AVATAR_TONES
    tone_class = f" avatar-tone-{tone}" if tone else ""
    return format_html(
        '<span class="avatar{}{}" aria-hidden="true">{}</span>',
        size_class,
        tone_class,
        initials(name),
    )


@register.filter
def person_name(person) -> str:
    """The name a cohort uses: the preferred name (or first name) and the last name."""
    profile = getattr(person, "profile", None)
    first = getattr(profile, "preferred_name", "") or person.first_name
    return f"{first} {person.last_name}".strip() or person.email


@register.simple_tag
def person_avatar(person, size: str = ""):
    """A person's avatar: their photo through the scoped photo view (the link changes with the
    photo, so browsers may cache it), or their initials. Expects the profile fetched with them."""
    profile = getattr(person, "profile", None)
    photo = getattr(profile, "photo", None)
    url = ""
    if photo:
        version = photo.name.rsplit("/", 1)[-1].split(".")[0][:10]
        url = f"{reverse('person_photo', args=[person.pk])}?v={version}"
    return avatar(person_name(person), url, size)
