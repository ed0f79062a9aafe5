"""Automated mail in code: an auto-reply from a known contact gets its activity and never a reply, whether the
action agent plans with plan_changes (shipped) or with one tool per change (an older agents.yaml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crm_crew.config.loader import load_config
from crm_crew.connectors.local import LocalCRM
from crm_crew.pipeline.automated import NO_REPLY, handle_automated
from crm_crew.pipeline.replies import load_reply_templates
from crm_crew.pipeline.session import InteractionSession
from crm_crew.security.screen import screen
from crm_crew.testing.configs import with_crew_v1
from crm_crew.triage.automated import automated_mail
from tests.unit_fixtures import CONFIG_DIR, crm, make_interaction  # noqa: F401  (fixture)


@pytest.mark.parametrize("which", ["shipped", "older"])
def test_an_auto_reply_from_a_contact_is_logged_and_never_answered(crm: LocalCRM, tmp_path: Path,
                                                                   which: str) -> None:
    conf = CONFIG_DIR
    if which == "older":
        conf = with_crew_v1(Path(shutil.copytree(CONFIG_DIR, tmp_path / "conf")))
    config = load_config(conf)
    settings = config.settings
    interaction = make_interaction(sender_email="jane.doe@acme-corp.com", subject="Automatic reply: Renewal",
                                   body="I am out of the office until Monday.")
    session = InteractionSession(interaction, screen(interaction, settings.security, settings.limits), settings,
                                 crm, load_reply_templates(CONFIG_DIR.resolve()))
    mail = automated_mail(interaction)
    assert mail is not None
    handle_automated(config, session, mail)
    assert [a.type for a in session.plan.actions] == ["log_activity"]
    assert session.reply is None and session.reply_declined == NO_REPLY
