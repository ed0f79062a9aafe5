"""Triage for the offline model: language, intent, urgency, calibrated confidence, automated mail."""
