"""`crm-crew eval`: the crew in shadow mode on labelled messages, scored."""
