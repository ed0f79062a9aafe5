"""Public test doubles for users testing their own configs (CRM emulators and a fake Messages API arrive with the connectors and Claude work)."""
