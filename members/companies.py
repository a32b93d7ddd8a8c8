"""Company identity: turn what people type about a company into comparable keys.

Conflict checks compare companies that members name in different ways ("Acme, Inc.",
"ACME inc", "https://www.acme.com/about"). Each spelling is reduced to a key ("acme"); two
companies are taken to be the same when they share a key.

A name key drops only what carries no identity: case, accents, punctuation, "and"/"&", a
leading "the" and trailing legal forms (Inc, Ltd, GmbH, …). Descriptive words stay, so
"Acme Foods" and "Acme" remain different companies. "Holdings" and "Group" are kept too: they
often name a different legal entity from the trading company ("Acme Group" may own "Acme", or
be unrelated), and a wrong match would keep unrelated members apart.

A domain key is the registrable label of the host ("mail.acme.co.uk" -> "acme"), found with
the Public Suffix List as the ``publicsuffixlist`` package bundles it: read from the package's
own file, never downloaded, so it is as recent as the pinned version and needs no network. The
list's private section covers hosting platforms, where the customer's subdomain is the company
("acme.myshopify.com", "acme.github.io" -> "acme"); a few platforms it does not list are added
below. A page on a profile site ("linkedin.com/company/acme") names no company by its host and
gives no key.

No Django imports: this is plain text processing, tested on its own.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from publicsuffixlist import PublicSuffixList

__all__ = [
    "LEGAL_FORMS",
    "company_key_of_domain",
    "company_key_of_name",
    "company_keys",
    "public_suffix_list",
]

# Legal forms, written as the words left after punctuation is removed ("S.A." -> "sa").
# Removed only at the end of a name, repeatedly ("Pty Ltd", "GmbH & Co KG").
LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "pllc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "lp",
        "llp",
        "lllp",
        "pc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "bv",
        "nv",
        "pty",
        "pte",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "kk",
        "sdn",
        "bhd",
    }
)

# Hosting platforms that give each customer a subdomain but are not in the Public Suffix
# List's private section (those that are, such as "myshopify.com", need nothing here): there
# too the subdomain is the company, otherwise every site on the platform would look alike.
HOSTED_SUFFIXES = frozenset(
    {"business.site", "godaddysites.com", "squarespace.com", "weebly.com", "wordpress.com"}
)

# Sites where a page *about* a company lives ("linkedin.com/company/acme"). Such a URL names no
# company by its host, so it yields no key; the bare site ("linkedin.com") still is LinkedIn.
PROFILE_PLATFORMS = frozenset(
    {
        "crunchbase.com",
        "facebook.com",
        "google.com",
        "instagram.com",
        "linkedin.com",
        "linktr.ee",
        "twitter.com",
        "x.com",
        "youtube.com",
    }
)

_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_DOMAIN_LIKE = re.compile(r"^(?:[\w-]+\.)+([^\W\d_]{2,})\.?$")
# Top-level domains that mark a typed name as a web address ("Monday.com"); any other ending
# is more likely an abbreviation ("J.Crew", "Dr.Oetker"). Country codes (two letters) count too.
_NAME_AS_DOMAIN_TLDS = frozenset({"com", "net", "org", "io", "ai", "co", "app", "dev", "biz"})
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_WWW = re.compile(r"^www\d*$")


def company_keys(name: str = "", website: str = "") -> list[str]:
    """Every key of a company known by this name and/or website: sorted, unique, non-empty."""
    keys = {company_key_of_name(name), company_key_of_domain(website)}
    keys.discard("")
    return sorted(keys)


def company_key_of_name(name: str) -> str:
    """The key of a company name: "The Acme Company, Inc." -> "acme"; "" if nothing is left."""
    text = (name or "").strip()
    # People type a web address as a company name too ("Booking.com"): read it as one.
    domain_like = _DOMAIN_LIKE.match(text)
    if domain_like and (
        len(domain_like[1]) == 2 or domain_like[1].casefold() in _NAME_AS_DOMAIN_TLDS
    ):
        return company_key_of_domain(text)
    words = _words(text)
    if words and words[0] == "the":
        words = words[1:]
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return "".join(words)


def company_key_of_domain(domain: str) -> str:
    """The key of a website or domain: "https://mail.acme.co.uk/about" -> "acme", else ""."""
    rest = _SCHEME.sub("", (domain or "").strip())
    end = re.search(r"[/?#]", rest)
    host, path = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    # "user:password@host" in a URL and "someone@acme.com" both end with the host.
    host = host.rpartition("@")[2]
    host = re.sub(r":\d*$", "", host).strip().rstrip(".")
    if "." not in host:
        # Not a domain ("Acme Foods" typed into the website box): read it as a name.
        return "" if path.strip("/") else company_key_of_name(host)
    if _IPV4.match(host):
        return ""
    labels = [_idna_decoded(label) for label in host.casefold().split(".")]
    while len(labels) > 2 and _WWW.match(labels[0]):
        labels = labels[1:]
    # "shop.acme.com.au" -> "acme.com.au"; None when the host is itself a suffix ("co.uk").
    registrable = public_suffix_list().privatesuffix(".".join(labels))
    if not registrable:
        return ""
    length = registrable.count(".") + 1
    if registrable in HOSTED_SUFFIXES and len(labels) > length:
        length += 1
    elif registrable in PROFILE_PLATFORMS and path.strip("/?#"):
        return ""
    return "".join(_words(labels[-length]))


@functools.cache
def public_suffix_list() -> PublicSuffixList:
    """The Public Suffix List bundled with the package, parsed once per process.

    Without a source the constructor reads the package's own copy of the list: no download,
    so keys do not change between runs unless the pinned package does.
    """
    return PublicSuffixList()


def _idna_decoded(label: str) -> str:
    # "xn--mller-kva" is how "müller" travels in DNS; both must give the same key.
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def _words(text: str) -> list[str]:
    """Casefolded, accent-free words of ``text``; "&" and "and" dropped, initials joined."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # Apostrophes join ("McDonald's" -> "mcdonalds"), as does "&" inside a word ("AT&T").
    plain = re.sub(r"['’`]", "", plain)
    plain = re.sub(r"(?<=\w)&(?=\w)", "", plain)
    spaced = "".join(ch if ch.isalnum() else " " for ch in plain)
    words: list[str] = []
    initials = False  # whether words[-1] was built from single letters only
    for word in spaced.split():
        if word == "and":
            continue
        # "S.A." and "U.S." arrive as single letters: rejoin each run into one word so a
        # spelled-out legal form is still recognised ("s a" -> "sa").
        if len(word) == 1 and initials:
            words[-1] += word
        else:
            words.append(word)
            initials = len(word) == 1
    return words
