"""Every use of the eventsourcing library's private names, checked against eventsourcing 9.5.6.

``tests/test_eventstore_seam.py`` pins that version and fails on an upgrade that changes a
member relied on here; benchmark figures for these choices are in the README's table.
"""
