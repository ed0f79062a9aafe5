"""The `rest` connector: an in-house JSON REST CRM configured entirely in `crm.options`."""
