"""A Salesforce org emulator (REST API over https on loopback) for tests and the sandbox."""

from crm_crew.testing.emulator import DEFAULT_TOKEN
from crm_crew.testing.salesforce.emulator import SalesforceEmulator

__all__ = ["DEFAULT_TOKEN", "SalesforceEmulator"]
