"""Salesforce connector: the unified model on Contacts/Leads, Tasks and Cases (simple-salesforce)."""
