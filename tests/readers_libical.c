/* Read an iCalendar file with libical (the library under Evolution and GNOME Calendar) for the
 * Python tests (tests/readers.py compiles this file once per source version).
 *
 *   readers_libical START END < feed.ics
 *     START/END: UTC instants as Unix seconds. Prints one line per occurrence overlapping
 *     [START, END): "UID<TAB>start<TAB>end" (Unix seconds), cancelled ones left out.
 *
 * libical expands each master (icalcomponent_foreach_recurrence: RRULE, RDATE and EXDATE as
 * libical itself applies them). An override (a VEVENT with RECURRENCE-ID) replaces the instance
 * of its master at the same instant, as calendar clients built on libical pair them; a cancelled
 * one (STATUS:CANCELLED) removes it. Every DTSTART, DTEND, RECURRENCE-ID and EXDATE with a TZID
 * must resolve to a VTIMEZONE of the file: a value that falls back to floating time is an error
 * (exit 3), not a silently shifted result.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLACK (400L * 86400L) /* overrides may move an occurrence this far: expand past END */

struct override {
    const char *uid;
    time_t rid;
};

struct found {
    struct override *overrides;
    size_t count;
    time_t start;
    time_t end;
};

static char *read_all(FILE *in)
{
    size_t size = 0, cap = 1 << 16;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + size, 1, cap - size - 1, in)) > 0) {
        size += n;
        if (size + 1 >= cap) {
            cap *= 2;
            text = realloc(text, cap);
        }
    }
    if (text) {
        text[size] = '\0';
    }
    return text;
}

/* "dates" as the third argument: all-day values (VALUE=DATE, no zone) are read, as the UTC
 * midnight of their date; without it they are an error (a meeting is never all day). */
static int allow_dates = 0;

static void fail(const char *uid, const char *what)
{
    fprintf(stderr, "%s: %s\n", uid ? uid : "(no UID)", what);
    exit(3);
}

/* The property's value must carry a zone: UTC, or the VTIMEZONE its TZID names. */
static void check_zone(icalcomponent *event, icalproperty *prop, struct icaltimetype value)
{
    icalparameter *tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (icaltime_is_date(value)) {
        if (allow_dates && tzid == NULL) {
            return;
        }
        fail(icalcomponent_get_uid(event), "an all-day value");
    }
    if (tzid == NULL) {
        if (!icaltime_is_utc(value)) {
            fail(icalcomponent_get_uid(event), "a floating time");
        }
        return;
    }
    icalcomponent *root = icalcomponent_get_parent(event);
    icaltimezone *zone = icalcomponent_get_timezone(root, icalparameter_get_tzid(tzid));
    if (zone == NULL) {
        fail(icalcomponent_get_uid(event), "a TZID without its VTIMEZONE");
    }
}

static void check_event(icalcomponent *event)
{
    icalproperty *prop;
    prop = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    if (prop == NULL) {
        fail(icalcomponent_get_uid(event), "no DTSTART");
    }
    check_zone(event, prop, icalproperty_get_dtstart(prop));
    prop = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY);
    if (prop != NULL) {
        check_zone(event, prop, icalproperty_get_dtend(prop));
    }
    prop = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY);
    if (prop != NULL) {
        check_zone(event, prop, icalproperty_get_recurrenceid(prop));
    }
    for (prop = icalcomponent_get_first_property(event, ICAL_EXDATE_PROPERTY); prop != NULL;
         prop = icalcomponent_get_next_property(event, ICAL_EXDATE_PROPERTY)) {
        check_zone(event, prop, icalproperty_get_exdate(prop));
    }
}

/* A RECURRENCE-ID as an instant: libical returns its wall time without the zone its TZID names
 * (as clients built on it do, the zone is looked up in the file). */
static struct icaltimetype recurrence_id(icalcomponent *event)
{
    icalproperty *prop = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY);
    struct icaltimetype value = icalproperty_get_recurrenceid(prop);
    icalparameter *tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (tzid != NULL) {
        icaltimezone *zone =
            icalcomponent_get_timezone(icalcomponent_get_parent(event), icalparameter_get_tzid(tzid));
        value = icaltime_set_timezone(&value, zone);
    }
    return value;
}

static time_t instant(struct icaltimetype value)
{
    return icaltime_as_timet_with_zone(value, value.zone);
}

static int is_cancelled(icalcomponent *event)
{
    return icalcomponent_get_status(event) == ICAL_STATUS_CANCELLED;
}

static void print(icalcomponent *event, time_t start, time_t end, struct found *found)
{
    if (start < found->end && end > found->start) {
        printf("%s\t%lld\t%lld\n", icalcomponent_get_uid(event), (long long)start, (long long)end);
    }
}

static void master_instance(icalcomponent *event, struct icaltime_span *span, void *data)
{
    struct found *found = data;
    const char *uid = icalcomponent_get_uid(event);
    for (size_t i = 0; i < found->count; i++) {
        if (found->overrides[i].rid == span->start && strcmp(found->overrides[i].uid, uid) == 0) {
            return; /* replaced (or cancelled) by its override */
        }
    }
    print(event, span->start, span->end, found);
}

static void one_event(icalcomponent *event, struct found *found)
{
    struct icaltimetype dtstart = icalcomponent_get_dtstart(event);
    struct icaltimetype dtend = icalcomponent_get_dtend(event);
    if (allow_dates && icaltime_is_date(dtstart) && icaltime_is_date(dtend)) {
        time_t start = icaltime_as_timet_with_zone(dtstart, icaltimezone_get_utc_timezone());
        time_t end = icaltime_as_timet_with_zone(dtend, icaltimezone_get_utc_timezone());
        print(event, start, end, found);
        return;
    }
    if (dtstart.zone == NULL || dtend.zone == NULL) {
        fail(icalcomponent_get_uid(event), "DTSTART or DTEND did not resolve to a zone");
    }
    time_t start = instant(dtstart);
    time_t end = instant(dtend);
    print(event, start, end, found);
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "dates") == 0)) {
        fprintf(stderr, "usage: readers_libical START END [dates] < file.ics\n");
        return 2;
    }
    allow_dates = argc == 4;
    struct found found = {NULL, 0, (time_t)atoll(argv[1]), (time_t)atoll(argv[2])};
    char *text = read_all(stdin);
    icalcomponent *root = text ? icalparser_parse_string(text) : NULL;
    if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
        fprintf(stderr, "not an iCalendar file: %s\n", icalerror_strerror(icalerrno));
        return 3;
    }
    size_t total = 0;
    icalcomponent *event;
    for (event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); event != NULL;
         event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        check_event(event);
        total++;
    }
    found.overrides = calloc(total ? total : 1, sizeof(struct override));
    for (event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); event != NULL;
         event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        if (icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY) != NULL) {
            struct override *o = &found.overrides[found.count++];
            o->uid = icalcomponent_get_uid(event);
            o->rid = instant(recurrence_id(event));
        }
    }
    struct icaltimetype from = icaltime_from_timet_with_zone(
        found.start - SLACK, 0, icaltimezone_get_utc_timezone());
    struct icaltimetype to =
        icaltime_from_timet_with_zone(found.end + SLACK, 0, icaltimezone_get_utc_timezone());
    for (event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); event != NULL;
         event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        if (is_cancelled(event)) {
            continue;
        }
        if (icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY) != NULL) {
            one_event(event, &found);
        } else if (icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY) != NULL) {
            icalcomponent_foreach_recurrence(event, from, to, master_instance, &found);
        } else {
            one_event(event, &found);
        }
    }
    icalcomponent_free(root);
    free(found.overrides);
    free(text);
    return 0;
}
