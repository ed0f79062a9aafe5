"""A --batch run: the lean route's model requests of the whole run go out as Message Batches first.

Before any interaction is worked, each pending one is taken through the lean route up to its model call
(screening, sender, contact and history reads, sentiment: reads only), and that request is collected.
The requests go out in batches, journaled before they are polled; their results are matched back by
`custom_id` when the interactions are then worked as usual (pipeline/batch_answers.py). A resumed run
first collects the batches it journaled and sends only requests none of them holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crm_crew.llm.batches import BatchClient, BatchRequest, split
from crm_crew.llm.factory import make_llm, provider_of
from crm_crew.llm.meter import Meter
from crm_crew.models import Interaction
from crm_crew.pipeline.batch_answers import BatchAnswers, batch_params, custom_id
from crm_crew.pipeline.flow import RunContext, handled_in_code, new_session
from crm_crew.pipeline.lean import ASSESSOR, run_lean
from crm_crew.pipeline.routing import LEAN, route_models
from crm_crew.pipeline.runner import InProcessRunner
from crm_crew.security.screen import screen


class _RequestCaptured(Exception):
    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__("captured")
        self.params = params


class _Capture:
    """The lean model of the collecting pass: it records the request and stops the interaction there."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm

    def call(self, messages: list[dict[str, str]]) -> str:
        raise _RequestCaptured(batch_params(self.llm, messages))


def lean_request(ctx: RunContext, interaction: Interaction) -> BatchRequest | None:
    """The lean route's model request for this interaction; None when it makes none (or cannot be batched)."""
    config = ctx.config
    settings = config.settings
    if not settings.routing.enabled:
        return None
    model = route_models(config, LEAN, ctx.model_override)[ASSESSOR]
    if provider_of(model) != "anthropic":
        return None
    screened = screen(interaction, settings.security, settings.limits)
    if handled_in_code(interaction, screened) is not None:
        return None
    try:
        run_lean(config, new_session(ctx, interaction, screened),
                 _Capture(make_llm(model, settings, Meter(), ctx.home)), model)
    except _RequestCaptured as captured:
        return BatchRequest(custom_id(interaction.id, captured.params), captured.params)
    except Exception:   # noqa: BLE001 - worked as usual later, where its failure is reported
        return None
    return None          # the full crew takes it before any lean call


def prepare_batches(ctx: RunContext, pending: Iterable[Interaction], client: BatchClient,
                    concurrency: int) -> BatchAnswers:
    """Collect the journaled batches' results, batch the requests none of them holds, wait for those."""
    answers = BatchAnswers()
    for batch_id in client.wait(ctx.store.llm_batches(ctx.run_id)):
        answers.results.update(client.results(batch_id))
    requests: dict[str, BatchRequest] = {}
    for request in InProcessRunner(concurrency).map(lambda item: lean_request(ctx, item), pending):
        if request is not None and request.custom_id not in answers.results:
            requests[request.custom_id] = request
    sent = []
    for chunk in split(requests.values()):
        batch_id = client.create(chunk)
        ctx.store.add_llm_batch(ctx.run_id, batch_id, len(chunk))   # before polling: a resume finds it
        sent.append(batch_id)
    for batch_id in client.wait(sent):
        answers.results.update(client.results(batch_id))
    return answers
