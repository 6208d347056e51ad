"""Canonical sections and evidence labels (search/ingest/sections.py)."""

from __future__ import annotations

import pytest

from search.ingest.sections import canonical_section, evidence_label


@pytest.mark.parametrize(
    ("heading", "canonical"),
    [
        ("Key Takeaways", "Key Takeaways"),
        ("Key Takeaways:", "Key Takeaways"),
        ("KEY ISW TAKEAWAYS", "Key Takeaways"),
        ("Key ISW takeaways as of December 14", "Key Takeaways"),
        ("Key takeaways for February 24, 2025", "Key Takeaways"),
        ("Russian Main Effort—Eastern Ukraine", "Russian Main Effort—Eastern Ukraine"),
        ("Russian Main Effort - Eastern Ukraine", "Russian Main Effort—Eastern Ukraine"),
        ("Russian Main Effort – Eastern Ukraine:", "Russian Main Effort—Eastern Ukraine"),
        ("#2. Russian Main Effort—Eastern Ukraine (comprised of two subordinate efforts)",
         "Russian Main Effort—Eastern Ukraine"),
        ("1) Russian Supporting Effort—Northern Axis", "Russian Supporting Effort—Northern Axis"),
        ("Mobilization and force generation efforts", "Mobilization and Force Generation Efforts"),
        ("Russian Mobilization and Force Generation Efforts", "Mobilization and Force Generation Efforts"),
        ("Immediate items to watch", "Immediate items to watch"),
        ("Activities in Russian-occupied areas", "Activities in Russian-Occupied Areas"),
        # Unknown headings pass through cleaned, in their own case.
        ("  3.  Humanitarian  situation in Kherson: ", "Humanitarian situation in Kherson"),
        ("What does Putin want in Syria?", "What does Putin want in Syria?"),
    ],
)
def test_canonical_section(heading, canonical):
    assert canonical_section(heading) == canonical


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Assessed Russian advances: Geolocated footage published on December 13 indicates …",
         "Assessed Russian advances"),
        ("Assessed Ukrainian advance: Footage shows …", "Assessed Ukrainian advances"),
        ("Unconfirmed claims: Russian milbloggers claimed that …", "Unconfirmed claims"),
        ("Unconfirmed Russian claims: …", "Unconfirmed claims"),
        ("Order of Battle: Elements of the 20th Motorized Rifle Division …", "Order of battle"),
        ("Ukrainian forces reportedly struck an oil depot in Oryol Oblast.", "Claims"),
        ("Russian milbloggers claimed that Russian forces seized Kotlyne.", "Claims"),
        ("Russian forces advanced near Pokrovsk.", None),
        ("Note: this is not a label.", None),
    ],
)
def test_evidence_label(text, label):
    found, unchanged = evidence_label(text)
    assert found == label and unchanged == text
