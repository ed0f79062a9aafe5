"""Addresses as identities (crm_crew.security.addresses) and contact matching that never takes a
look-alike for the real address (crm_crew.pipeline.matching)."""

from __future__ import annotations

import codecs
from typing import Any

import pytest

from crm_crew.connectors.local import LocalCRM
from crm_crew.models import Contact
from crm_crew.pipeline.matching import match_contact
from crm_crew.security.addresses import (
    canonical_address,
    identity_address,
    imitated_address,
    is_lookalike,
    same_address,
    skeleton,
)
from tests.unit_fixtures import crm, settings  # noqa: F401  (fixtures)

CYRILLIC_IE = "\u0435"          # looks like Latin "e"
REAL = "nils.berg@fjordline.no"
HOMOGLYPH = f"nils.berg@fjordlin{CYRILLIC_IE}.no"
PUNYCODE = "nils.berg@xn--" + codecs.encode(f"fjordlin{CYRILLIC_IE}", "punycode").decode() + ".no"


@pytest.mark.parametrize(("given", "canonical"), [
    ("  Nils.Berg@FJORDLINE.no ", REAL),
    ("OPS+Billing@Tallyworks.COM", "ops+billing@tallyworks.com"),
    ("Jörg@München.de", "jörg@münchen.de"),                 # only ASCII letters change case
    ("\u212aari@x.io", "\u212aari@x.io"),                     # KELVIN SIGN stays: .lower() would make it "k"
    ("jo\u0308rg@x.de", "jo\u0308rg@x.de"),                   # not even NFC: code points stay as sent
])
def test_the_canonical_form_folds_ascii_case_and_nothing_that_makes_look_alikes_equal(given: str,
                                                                                      canonical: str) -> None:
    assert canonical_address(given) == canonical


@pytest.mark.parametrize(("first", "second", "strip", "same"), [
    ("Owen.Hale+news@Brightmoor.co.uk", "owen.hale@brightmoor.co.uk", True, True),
    ("Owen.Hale+news@Brightmoor.co.uk", "owen.hale@brightmoor.co.uk", False, False),
    ("owen.hale@brightmoor.co.uk.", "owen.hale@brightmoor.co.uk", True, True),
    (HOMOGLYPH, REAL, True, False),
    (PUNYCODE, REAL, True, False),
    (PUNYCODE, HOMOGLYPH, True, False),                        # punycode and its Unicode form are not equated
    ("nils.berg@fjordline-support.no", REAL, True, False),
    ("\u212aari@x.io", "kari@x.io", True, False),
    ("ｎils.berg@fjordline.no", REAL, True, False),             # fullwidth n
    ("nils.berg\u200b@fjordline.no", REAL, True, False),       # zero-width space
    ("", "", True, False),
])
def test_same_address_is_exact_after_normalizing(first: str, second: str, strip: bool, same: bool) -> None:
    assert same_address(first, second, strip) is same
    assert same_address(second, first, strip) is same


def test_identity_address_strips_a_plus_tag_only_when_asked() -> None:
    assert identity_address("A+b+c@X.io") == "a@x.io"
    assert identity_address("A+b+c@X.io", strip_plus_tags=False) == "a+b+c@x.io"
    assert identity_address("not-an-address") == "not-an-address"


@pytest.mark.parametrize("lookalike", [
    HOMOGLYPH,
    PUNYCODE,
    "nils.berg@fjordlin\u0435.n\u043e",                       # two Cyrillic letters
    "ｎils.berg@fjordline.no",
    "nils.berg\u200b@fjordline.no",
    "n\u0456ls.berg@fjordline.no",                            # Ukrainian i
])
def test_look_alikes_share_the_real_address_skeleton_without_being_it(lookalike: str) -> None:
    assert skeleton(lookalike) == REAL
    assert is_lookalike(lookalike, REAL)
    assert imitated_address(lookalike) == REAL
    assert not same_address(lookalike, REAL)


def test_plain_and_unrelated_addresses_imitate_nothing() -> None:
    assert imitated_address(REAL) is None
    assert imitated_address("owen.hale+x@brightmoor.co.uk") is None
    assert imitated_address("李@例子.中国") is None            # a genuine non-Latin address has no ASCII twin
    assert not is_lookalike(REAL, REAL)
    assert not is_lookalike("nils.berg@fjordline-support.no", REAL)


# -- matching -------------------------------------------------------------------------------------


def _add(crm: LocalCRM, email: str, first: str, last: str, company: str) -> str:
    return crm.create("contact", {"email": email, "first_name": first, "last_name": last, "company": company,
                                  "tier": "premium", "lead_status": "Customer"}, f"seed-{email}")


def test_a_homoglyph_sender_is_matched_as_a_look_alike_never_by_email(crm: LocalCRM, settings: Any) -> None:
    nils = _add(crm, REAL, "Nils", "Berg", "Fjordline")
    for sender in (HOMOGLYPH, PUNYCODE):
        result = match_contact(crm, sender, "Nils Berg", "", settings.matching)
        assert (result.how, result.contact.id if result.contact else None) == ("lookalike", nils)
    assert match_contact(crm, "NILS.BERG+crm@Fjordline.no", "", "", settings.matching).how == "email"


def test_a_look_alike_domain_falls_through_to_the_fuzzy_match(crm: LocalCRM, settings: Any) -> None:
    _add(crm, REAL, "Nils", "Berg", "Fjordline")
    result = match_contact(crm, "nils.berg@fjordline-support.no", "Nils Berg", "Fjordline AS", settings.matching)
    assert result.how == "fuzzy" and result.contact is not None and result.contact.email == REAL


class FoldingCRM(LocalCRM):
    """A CRM whose address lookup folds case the Unicode way (as some hosted CRMs do)."""

    def find_contact_by_email(self, email: str) -> Contact | None:
        for contact in self.export_all()["contacts"]:
            if contact["email"].lower() == email.lower().replace("\u212a", "k"):
                return self.get_contact(contact["id"])
        return None


def test_a_lookup_that_folds_more_than_we_do_never_counts_as_the_senders_own(tmp_path: Any, settings: Any) -> None:
    folding = FoldingCRM(tmp_path / "crm.sqlite")
    try:
        folding.create("contact", {"email": "kari@x.io", "first_name": "Kari"}, "k1")
        assert match_contact(folding, "\u212aari@x.io", "", "", settings.matching).how == "lookalike"
        assert match_contact(folding, "KARI@x.io", "", "", settings.matching).how == "email"
    finally:
        folding.close()
