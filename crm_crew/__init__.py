"""crm-crew: a hierarchical crew of six agents that keeps a CRM true to customer interactions."""

__version__ = "0.1.0"
