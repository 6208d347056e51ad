"""Endnotes: defanged addresses rebuilt, and the registrable domains of the `cited` facet."""

from __future__ import annotations

import pytest

from search.ingest.notes import endnote_from_text, rebuild_addresses, registrable_domain, url_domain


@pytest.mark.parametrize(
    ("written", "rebuilt"),
    [
        ("https://sprotyv.mod dot gov.ua/2023/01/06/a", "https://sprotyv.mod.gov.ua/2023/01/06/a"),
        ("militarynews dot ru/news/1", "https://militarynews.ru/news/1"),
        ("https://gur.gov [dot] ua/content/x", "https://gur.gov.ua/content/x"),
        ("tass[.]ru/politika/1; https://t.me/x", "https://tass.ru/politika/1; https://t.me/x"),
        ("https://www.example-news dot ru/p", "https://www.example-news.ru/p"),
        ("example(.)org/a", "https://example.org/a"),
        ("interfax dot ru", "https://interfax.ru"),
        ("no address here, just a polka dot dress", "no address here, just a polka dot dress"),
    ],
)
def test_defanged_addresses_are_rebuilt(written, rebuilt):
    assert rebuild_addresses(written) == rebuilt


def test_rebuilt_addresses_are_the_endnotes_links():
    note = endnote_from_text("[51] https://sprotyv.mod dot gov.ua/2023/01/06/x ; https://ria dot ru/2023/y.html")
    assert note.urls == ("https://sprotyv.mod.gov.ua/2023/01/06/x", "https://ria.ru/2023/y.html")


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://t.me/rybar/1", "t.me"),
        ("https://www.facebook.com/GeneralStaff.ua/posts/1", "facebook.com"),
        ("https://sprotyv.mod.gov.ua/2023/x", "mod.gov.ua"),
        ("https://news.example.co.uk/a", "example.co.uk"),
        ("https://mil.ru/news/1", "mil.ru"),  # a site served at a public suffix itself
        ("https://t", None),  # what a shortened link text leaves: never a facet value
        ("https://www", None),
        ("http://127.0.0.1:5000/x", "127.0.0.1"),
    ],
)
def test_cited_domains_are_registrable(url, domain):
    assert url_domain(url) == domain


def test_a_host_without_a_public_suffix_has_no_domain():
    assert registrable_domain("localhost") is None
    assert registrable_domain("tass") is None
