"""Mailboxes: IMAP in (`crm-crew run imaps://USER@HOST[:PORT]/FOLDER`). Replies out come later."""
