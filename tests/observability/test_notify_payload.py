"""What a notice says: customer text stays text in Slack, the digest carries every notice, no address."""

from __future__ import annotations

from crm_crew.observability.notify import Notice, masked_email, payload

HOSTILE = Notice("run-1", "msg-9", "complaint", "critical", "<!channel> production is down & <https://x.test|click>",
                 masked_email("jane.doe@example.com"), "<@U123> urgent *now*", 7, "crm-crew review show 7")


def test_slack_text_cannot_ping_link_or_format_a_channel() -> None:
    text = payload([HOSTILE], digest=False, fmt="slack")["text"]
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt; production is down &amp; &lt;https://x.test|click&gt;" in text
    assert "&lt;@U123&gt;" in text and "`crm-crew review show 7`" in text
    assert "j…@example.com" in text and "jane.doe" not in text


def test_json_notices_and_digests_carry_the_fields() -> None:
    one = payload([HOSTILE], digest=False, fmt="json")
    assert one["event"] == "crm_crew.escalation" and one["review_id"] == 7 and one["sender"] == "j…@example.com"
    digest = payload([HOSTILE, HOSTILE], digest=True, fmt="json")
    assert digest["event"] == "crm_crew.escalations" and digest["count"] == 2 and len(digest["escalations"]) == 2
    assert masked_email(None) is None and masked_email("not an address") is None
