"""What crm-crew exports about itself: traces (tracing*.py), metrics and reports."""
