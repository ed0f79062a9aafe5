"""One review per interaction and CRM target: a later run of a message already queued or decided
refers to that review instead of queuing the message again.

Both stores call `link_to_earlier` inside the transaction that journals the result, with the
review of the same interaction on the same CRM target that an earlier run queued (pending first,
else the latest decided), found by EARLIER_REVIEW_SQL.
"""

from __future__ import annotations

from typing import Any

from crm_crew.store.base import ActionRow, ReviewItem

# parameters: interaction_id, run_id (the target of that run), run_id (not that run's own item)
EARLIER_REVIEW_SQL = (
    "SELECT v.* FROM reviews v JOIN runs r ON r.run_id = v.run_id "
    "WHERE v.interaction_id = {p} AND r.target = (SELECT target FROM runs WHERE run_id = {p}) AND v.run_id <> {p} "
    "ORDER BY CASE WHEN v.status = 'pending' THEN 0 ELSE 1 END, v.review_id DESC LIMIT 1"
)


def link_to_earlier(earlier: ReviewItem, stored: dict[str, Any], actions: list[ActionRow]) -> None:
    """Point the result at the earlier review; held actions follow a decision already made."""
    reference: dict[str, Any] = {"id": earlier.review_id, "status": earlier.status, "run_id": earlier.run_id,
                                 "earlier": True}
    if earlier.status != "pending":
        reference.update(by=earlier.decided_by, at=earlier.decided_at)
        if earlier.decision_note:
            reference["reason"] = earlier.decision_note
    stored["review"] = reference
    for row in actions:
        if row.status != "held":
            continue
        if earlier.status == "rejected":
            row.status = "rejected"
            row.note = (f"rejected earlier in review {earlier.review_id} (run {earlier.run_id}) by "
                        f"{earlier.decided_by or 'someone'}: {earlier.decision_note or 'no reason given'}")
        elif earlier.status == "approved":
            row.note = (f"held: review {earlier.review_id} (run {earlier.run_id}) approved this message earlier "
                        "and that run wrote its actions")
        else:
            row.note = f"held: waiting on review {earlier.review_id} (run {earlier.run_id}) of the same message"
