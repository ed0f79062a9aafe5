"""Contact matching (crm_crew.pipeline.matching) against a LocalCRM holding the sample contacts."""

from __future__ import annotations

import pytest

from crm_crew.connectors.local import LocalCRM
from crm_crew.pipeline.matching import match_contact
from crm_crew.security.addresses import identity_address
from tests.unit_fixtures import crm, settings  # noqa: F401  (fixtures)


@pytest.mark.parametrize(("raw", "stripped", "kept"), [
    ("  Jane.Doe@ACME-corp.com ", "jane.doe@acme-corp.com", "jane.doe@acme-corp.com"),
    ("jane.doe+news@acme-corp.com", "jane.doe@acme-corp.com", "jane.doe+news@acme-corp.com"),
    ("a+b+c@x.io", "a@x.io", "a+b+c@x.io"),
    ("no-at-sign", "no-at-sign", "no-at-sign"),
])
def test_identity_address(raw: str, stripped: str, kept: str) -> None:
    assert identity_address(raw) == stripped
    assert identity_address(raw, strip_plus_tags=False) == kept


# -- email ----------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["jane.doe@acme-corp.com", "Jane.Doe@ACME-Corp.com", "  JANE.DOE@acme-corp.com  ",
                                   "jane.doe+newsletter@acme-corp.com", "Jane.Doe+X@Acme-Corp.com"])
def test_email_match_ignores_case_and_plus_tags(crm: LocalCRM, settings, email: str) -> None:
    result = match_contact(crm, email, "", "", settings.matching)
    assert result.how == "email" and result.score == 100.0
    assert result.contact is not None and result.contact.email == "jane.doe@acme-corp.com"
    assert result.contact.tier == "enterprise"


def test_plus_tags_kept_when_stripping_is_off(crm: LocalCRM, settings) -> None:
    matching = settings.matching.model_copy(update={"strip_plus_tags": False})
    result = match_contact(crm, "jane.doe+news@acme-corp.com", "", "", matching)
    assert result.contact is None and result.how == "none"


def test_a_contact_stored_with_a_plus_tag_still_matches(crm: LocalCRM, settings) -> None:
    crm.create("contact", {"email": "ops+crm@initech.com", "first_name": "Ops"}, "k-ops")
    result = match_contact(crm, "OPS+crm@Initech.com", "", "", settings.matching)
    assert result.how == "email" and result.contact is not None and result.contact.email == "ops+crm@initech.com"


def test_email_match_wins_over_name_and_company(crm: LocalCRM, settings) -> None:
    result = match_contact(crm, "mark.chen@globex.io", "Jane Doe", "Acme Corp", settings.matching)
    assert result.how == "email" and result.contact is not None and result.contact.first_name == "Mark"


# -- fuzzy name + company ------------------------------------------------------------------------


def test_fuzzy_match_on_name_and_company(crm: LocalCRM, settings) -> None:
    result = match_contact(crm, "jane@private-mail.example", "Jane Doe", "Acme Corp", settings.matching)
    assert result.how == "fuzzy" and result.score == 100.0
    assert result.contact is not None and result.contact.email == "jane.doe@acme-corp.com"


def test_fuzzy_match_tolerates_order_and_case(crm: LocalCRM, settings) -> None:
    result = match_contact(crm, "", "PATEL priya", "initech", settings.matching)
    assert result.how == "fuzzy" and result.contact is not None and result.contact.last_name == "Patel"


def test_fuzzy_score_just_below_the_threshold_is_no_match(crm: LocalCRM, settings) -> None:
    # "Sam Taylor" vs the CRM's "Samuel Taylor" scores 87; the shipped threshold is 88.
    assert settings.matching.fuzzy_threshold == 88
    result = match_contact(crm, "sam@taylor-consulting.example", "Sam Taylor", "Taylor Consulting", settings.matching)
    assert result.contact is None and result.how == "none" and result.score == 87.0


def test_fuzzy_score_above_a_lower_threshold_matches(crm: LocalCRM, settings) -> None:
    matching = settings.matching.model_copy(update={"fuzzy_threshold": 85})
    result = match_contact(crm, "sam@taylor-consulting.example", "Sam Taylor", "Taylor Consulting", matching)
    assert result.how == "fuzzy" and result.score == 87.0
    assert result.contact is not None and result.contact.email == "sam.taylor@gmail.com"


def test_right_name_wrong_company_is_no_match(crm: LocalCRM, settings) -> None:
    result = match_contact(crm, "", "Jane Doe", "Globex", settings.matching)
    assert result.contact is None and result.how == "none"
    assert 0 < result.score < settings.matching.fuzzy_threshold


def test_fuzzy_needs_both_name_and_company(crm: LocalCRM, settings) -> None:
    assert match_contact(crm, "", "Jane Doe", "", settings.matching).how == "none"
    assert match_contact(crm, "", "", "Acme Corp", settings.matching).how == "none"
    assert match_contact(crm, "", "   ", "  ", settings.matching).score == 0.0


# -- no match -------------------------------------------------------------------------------


def test_unknown_sender_is_no_match(crm: LocalCRM, settings) -> None:
    result = match_contact(crm, "daniel.okafor@brightwave-media.com", "Daniel Okafor", "Brightwave Media Ltd",
                           settings.matching)
    assert result.contact is None and result.how == "none" and result.score == 0.0


def test_unknown_email_without_name_is_no_match(crm: LocalCRM, settings) -> None:
    result = match_contact(crm, "nobody@nowhere.example", "", "", settings.matching)
    assert (result.contact, result.how, result.score) == (None, "none", 0.0)
