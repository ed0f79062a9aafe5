"""Mailboxes: IMAP in (`crm-crew run imaps://USER@HOST[:PORT]/FOLDER`); replies out as drafts (IMAP APPEND) or over SMTP."""
