"""The run report: one self-contained HTML page (or Markdown) about one run, from the journal and the audit trail.

gather.py reads the store; content.py turns what it read into a document (document.py), which
html_page.py and markdown.py render; the same content either way.
"""
