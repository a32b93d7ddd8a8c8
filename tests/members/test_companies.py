import builtins
import socket
from unittest import mock

import publicsuffixlist
import pytest

from members import companies
from members.companies import (
    HOSTED_SUFFIXES,
    company_key_of_domain,
    company_key_of_name,
    company_keys,
    public_suffix_list,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME inc", "acme"),
        ("Acme Incorporated", "acme"),
        ("The Acme Company", "acme"),
        ("Acme Corp.", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Acme S.A.", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme LLP", "acme"),
        ("  acme  ", "acme"),
        ("Blue Harbor Logistics", "blueharborlogistics"),
        ("Blue Harbor Logistics, LLC", "blueharborlogistics"),
        ("Acme Foods", "acmefoods"),
        # Holdings and Group name another entity as often as the same one: they stay.
        ("Acme Holdings", "acmeholdings"),
        ("Acme Group plc", "acmegroup"),
        # Legal forms go only at the end; inside a name they are words like any other.
        ("Limited Brands Inc", "limitedbrands"),
        ("Company Shop Ltd", "companyshop"),
        ("Theatre Royal", "theatreroyal"),
        ("Johnson & Johnson", "johnsonjohnson"),
        ("Johnson and Johnson", "johnsonjohnson"),
        ("AT&T Inc.", "att"),
        ("McDonald's Corporation", "mcdonalds"),
        ("U.S. Steel", "ussteel"),
        ("A. O. Smith Corp.", "aosmith"),
        ("Nestlé S.A.", "nestle"),
        ("Société Générale SA", "societegenerale"),
        ("Straße GmbH", "strasse"),
        ("トヨタ自動車", "トヨタ自動車"),
        ("Booking.com", "booking"),
        ("Amazon.de", "amazon"),
        ("J.Crew", "jcrew"),
        ("Acme.Inc", "acme"),
        ("Inc.", ""),
        ("The Company", ""),
        ("S.A.", ""),
        ("", ""),
        ("   ", ""),
    ],
)
def test_company_key_of_name_normalises(name: str, key: str) -> None:
    assert company_key_of_name(name) == key


@pytest.mark.parametrize(
    ("domain", "key"),
    [
        ("acme.com", "acme"),
        ("ACME.COM", "acme"),
        ("www.acme.com", "acme"),
        ("https://www.acme.com/about", "acme"),
        ("http://acme.com/?utm=x#top", "acme"),
        ("https://user:secret@www.acme.com:8443/path", "acme"),
        ("//acme.com/", "acme"),
        ("acme.com.", "acme"),
        ("mail.acme.com", "acme"),
        ("eu.shop.acme.com", "acme"),
        ("ada@acme.com", "acme"),
        ("ACME.co.uk", "acme"),
        ("www.acme.org.uk", "acme"),
        ("acme.com.au", "acme"),
        ("acme.co.nz", "acme"),
        ("acme.co.jp", "acme"),
        ("acme.com.br", "acme"),
        ("acme.co.za", "acme"),
        ("acme.com.sg", "acme"),
        ("acme.co.in", "acme"),
        ("shop.acme.co.uk", "acme"),
        ("acme.co", "acme"),
        ("acme.de", "acme"),
        ("blue-harbor.com", "blueharbor"),
        ("müller.de", "muller"),
        ("xn--mller-kva.de", "muller"),
        ("acme.myshopify.com", "acme"),
        ("https://acme.github.io/", "acme"),
        ("https://www.linkedin.com/company/acme", ""),
        ("linkedin.com", "linkedin"),
        ("co.uk", ""),
        ("192.168.0.1", ""),
        ("acme", "acme"),
        ("", ""),
    ],
)
def test_company_key_of_domain_normalises(domain: str, key: str) -> None:
    assert company_key_of_domain(domain) == key


@pytest.mark.parametrize(
    ("name", "website", "keys"),
    [
        ("Acme, Inc.", "https://www.acme.com/about", ["acme"]),
        ("ACME inc", "", ["acme"]),
        ("", "ACME.co.uk", ["acme"]),
        ("Blue Harbor Logistics", "https://bhl.com", ["bhl", "blueharborlogistics"]),
        ("Zeta Ltd", "https://alpha.io", ["alpha", "zeta"]),
        ("Inc.", "", []),
        ("Inc.", "acme.com", ["acme"]),
        ("", "", []),
    ],
)
def test_company_keys_combines_name_and_website(name: str, website: str, keys: list[str]) -> None:
    assert company_keys(name, website) == keys


def test_company_keys_defaults_to_empty() -> None:
    assert company_keys() == []


@pytest.mark.parametrize(
    ("domain", "key"),
    [
        # ICANN suffixes of more than one label: the company is the label before them.
        ("www.acme.co.uk", "acme"),
        ("shop.acme.com.au", "acme"),
        ("acme.ltd.uk", "acme"),
        ("a.b.acme.or.jp", "acme"),
        ("acme.com.cn", "acme"),
        ("acme.gov.uk", "acme"),
        ("acme.kawasaki.jp", ""),  # "*.kawasaki.jp": every name there is a suffix
        ("city.kawasaki.jp", "city"),  # and "!city.kawasaki.jp" the exception to it
        ("com.au", ""),
        # Private suffixes: the customer's subdomain is the company.
        ("acme.github.io", "acme"),
        ("docs.acme.github.io", "acme"),
        ("acme.herokuapp.com", "acme"),
        ("acme.blogspot.com", "acme"),
        ("github.io", ""),
        ("www.github.io", ""),
        # Platforms the list does not carry, from HOSTED_SUFFIXES.
        ("acme.wordpress.com", "acme"),
        ("www.acme.squarespace.com", "acme"),
        ("wordpress.com", "wordpress"),
        # Internationalised names, typed or in their DNS form, and IDN suffixes.
        ("пример.рф", "пример"),
        ("xn--e1afmkfd.xn--p1ai", "пример"),
        ("shop.acme.公司.cn", "acme"),
        ("acme.xn--55qx5d.cn", "acme"),
        ("bücher.example.de", "example"),
        ("www.bücher.de", "bucher"),
        # Not a host at all.
        ("acme..com", ""),
        (".com", ""),
    ],
)
def test_company_key_of_domain_uses_public_suffixes(domain: str, key: str) -> None:
    assert company_key_of_domain(domain) == key


def test_hosted_suffixes_are_only_platforms_the_public_list_lacks() -> None:
    listed = sorted(s for s in HOSTED_SUFFIXES if public_suffix_list().is_public(s))
    assert listed == []


def test_public_suffix_list_is_the_bundled_file_and_touches_no_network(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the public suffix list must not be downloaded")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    public_suffix_list.cache_clear()
    try:
        with (
            mock.patch.object(
                companies, "PublicSuffixList", wraps=publicsuffixlist.PublicSuffixList
            ) as constructor,
            mock.patch.object(builtins, "open", wraps=builtins.open) as opened,
        ):
            psl = public_suffix_list()
            assert public_suffix_list() is psl  # parsed once, then reused
            assert company_key_of_domain("www.acme.co.uk") == "acme"
    finally:
        public_suffix_list.cache_clear()

    constructor.assert_called_once_with()
    assert [c.args for c in opened.call_args_list] == [(publicsuffixlist.PSLFILE, "rb")]
    assert publicsuffixlist.PSLFILE.startswith(publicsuffixlist.__path__[0])
