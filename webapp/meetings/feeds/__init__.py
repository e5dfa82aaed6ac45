"""Calendar feeds of the meetings: built from the schedule, rendered by ``webapp.ical``, and
stored so that each is rendered once per change of its data, not once per request.

- ``window``: how far back a feed reaches (the one place that says so);
- ``events``: the VEVENTs of a series (masters, overrides, extra meetings), built one way;
- ``calendars``: the series, site and single-meeting calendars, and subscribe links;
- ``cache``: the rendered-feed store, with one data version and one clock;
- ``http``: serving a stored render (ETag, Last-Modified, 304, HEAD, no cookies), also below Flask
  (``FastFeeds``); other areas serve their exports through ``http.serve_bytes``.

What a series feed holds (ICAL-FEEDS.md has the reasons):

* one master VEVENT per schedule rule, UID ``series-<slug>-<rule's first date>@<host>``, with
  ``RRULE:FREQ=WEEKLY;INTERVAL=n;BYDAY=..`` (a retimed rule ends with UNTIL, in UTC);
* an EXDATE (same zone, same wall time as DTSTART) per cancelled occurrence;
* a VEVENT with the master's UID and a RECURRENCE-ID per moved occurrence;
* a VEVENT of its own, UID ``meeting-<slug>-<date>@<host>``, per extra meeting (STATUS:CANCELLED
  when it was cancelled).
"""
