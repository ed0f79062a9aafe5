"""The offline model: a deterministic policy that drives the crew without any network.

A documented product mode (air-gapped sites, CI, dry runs), not a test stub: sentiment
comes from a lexicon model, intent and urgency from the rules in crm-crew.yaml, replies
from the templates in replies.yaml.
"""
