"""Announcements: the agenda mail before each meeting and change notices when one changes.

``settings`` (a series' list addresses, hours before, extra zones), ``notices`` (change notices,
queued by ``webapp.meetings.services`` in the transaction of the change), ``agenda`` (what the
agenda mail says), ``queue`` (the agenda mails that are due, once each) and ``cli``
(``flask series announcements``, ``flask announcements queue``).
"""
