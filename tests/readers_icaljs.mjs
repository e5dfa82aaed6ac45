// Read an iCalendar file with ical.js (Thunderbird's parser) for the Python tests.
//
//   node tests/readers_icaljs.mjs occurrences START END < feed.ics
//     START/END: ISO 8601 UTC instants. Prints a JSON list of [uid, startISO, endISO]
//     (UTC) for every occurrence overlapping [START, END), cancelled ones left out.
//
//   node tests/readers_icaljs.mjs changes END_YEAR < zones.ics
//     Prints {tzid: [[unixSeconds, offset, previousOffset, isDaylight], ...]}: every
//     transition ical.js expands from each VTIMEZONE up to END_YEAR.
//
//   node tests/readers_icaljs.mjs offsets START END [STEP] < zones.ics
//     START/END: "wall seconds" (seconds since 1970-01-01T00:00 on the zone's own
//     clock). Prints {tzid: [[wallSeconds, offsetSeconds], ...]}: the UTC offset each
//     VTIMEZONE gives to the wall times START, START+STEP, ... < END (STEP defaults to
//     3600), run-length encoded (an entry only where the offset changes). ical.js
//     resolves wall times to instants this way when it reads DTSTART;TZID=...
//
// Every VTIMEZONE in the file is registered with ICAL.TimezoneService and every
// DTSTART must resolve to one of them: a TZID that falls back to floating time is an
// error, not a silently shifted result.
import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function parseCalendar(text) {
  const root = new ICAL.Component(ICAL.parse(text));
  const zones = new Map();
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    // The same instance that property values resolve to through the component tree,
    // also registered for anything that asks the service.
    const zone = root.getTimeZoneByID(vtz.getFirstPropertyValue("tzid"));
    ICAL.TimezoneService.register(zone);
    zones.set(zone.tzid, zone);
  }
  return { root, zones };
}

// "dates" after START END: all-day values (VALUE=DATE) are read, as the UTC midnight of their
// date; without it they are an error (a meeting is never all day).
let allowDates = false;

function checkZone(time, prop, zones, uid) {
  const tzid = prop.getParameter("tzid");
  if (allowDates && time.isDate && !tzid) {
    return;
  }
  if (time.zone === ICAL.Timezone.utcTimezone && !tzid) {
    return;
  }
  if (!tzid) {
    throw new Error(`${uid}: floating ${prop.name} ${time.toString()}`);
  }
  if (!zones.has(tzid) || time.zone !== zones.get(tzid)) {
    throw new Error(`${uid}: ${prop.name} TZID ${tzid} did not resolve to its VTIMEZONE`);
  }
}

function isCancelled(component) {
  const status = component.getFirstPropertyValue("status");
  return typeof status === "string" && status.toUpperCase() === "CANCELLED";
}

function occurrences(text, windowStart, windowEnd) {
  const { root, zones } = parseCalendar(text);
  const start = new Date(windowStart).getTime();
  const end = new Date(windowEnd).getTime();
  const masters = new Map();
  const exceptions = [];
  for (const vevent of root.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(vevent);
    for (const name of ["dtstart", "dtend", "recurrence-id"]) {
      const prop = vevent.getFirstProperty(name);
      if (prop) {
        checkZone(prop.getFirstValue(), prop, zones, event.uid);
      }
    }
    for (const prop of vevent.getAllProperties("exdate")) {
      for (const value of prop.getValues()) {
        checkZone(value, prop, zones, event.uid);
      }
    }
    if (event.isRecurrenceException()) {
      exceptions.push(event);
    } else {
      masters.set(event.uid, event);
    }
  }
  for (const exception of exceptions) {
    const master = masters.get(exception.uid);
    if (!master) {
      throw new Error(`exception ${exception.uid} has no master`);
    }
    master.relateException(exception);
  }

  const found = [];
  const add = (uid, startTime, endTime, component) => {
    if (isCancelled(component)) {
      return;
    }
    const instant = (t) =>
      t.isDate ? Date.UTC(t.year, t.month - 1, t.day) : t.toJSDate().getTime();
    const s = instant(startTime);
    const e = instant(endTime);
    if (s < end && e > start) {
      found.push([uid, new Date(s).toISOString(), new Date(e).toISOString()]);
    }
  };
  // Overrides may move an occurrence by up to this much: keep expanding past END.
  const slack = 400 * 86400 * 1000;
  for (const master of masters.values()) {
    if (isCancelled(master.component)) {
      continue;
    }
    if (!master.isRecurring()) {
      add(master.uid, master.startDate, master.endDate, master.component);
      continue;
    }
    const iterator = master.iterator();
    let next;
    let guard = 0;
    while ((next = iterator.next())) {
      if (++guard > 100000) {
        throw new Error(`${master.uid}: runaway recurrence`);
      }
      if (next.toJSDate().getTime() > end + slack) {
        break;
      }
      const details = master.getOccurrenceDetails(next);
      add(master.uid, details.startDate, details.endDate, details.item.component);
    }
  }
  found.sort((a, b) => (a[1] + a[0] < b[1] + b[0] ? -1 : a[1] + a[0] > b[1] + b[0] ? 1 : 0));
  return found;
}

function offsets(text, wallStart, wallEnd, step) {
  const { zones } = parseCalendar(text);
  const result = {};
  for (const [tzid, zone] of zones) {
    const runs = [];
    let previous = null;
    const time = new ICAL.Time();
    for (let w = wallStart; w < wallEnd; w += step) {
      time.fromUnixTime(w); // sets the wall-clock fields...
      time.zone = zone; // ...which are read as local time in the zone
      const offset = zone.utcOffset(time);
      if (offset !== previous) {
        runs.push([w, offset]);
        previous = offset;
      }
    }
    result[tzid] = runs;
  }
  return result;
}

// ical.js's own expansion of each VTIMEZONE: every change of offset up to END_YEAR, as
// [unixSeconds, utcOffsetSeconds, previousUtcOffsetSeconds, isDaylight]. This reads
// Timezone#changes, which is internal, but it is exactly what utcOffset() searches.
function changes(text, endYear) {
  const { zones } = parseCalendar(text);
  const result = {};
  for (const [tzid, zone] of zones) {
    zone._ensureCoverage(endYear);
    const seen = new Set();
    const rows = [];
    for (const change of zone.changes) {
      const unix =
        Date.UTC(change.year, change.month - 1, change.day, change.hour, change.minute, change.second) /
        1000;
      const row = [unix, change.utcOffset, change.prevUtcOffset, Boolean(change.is_daylight)];
      const key = row.join(",");
      if (!seen.has(key)) {
        seen.add(key);
        rows.push(row);
      }
    }
    rows.sort((x, y) => x[0] - y[0]);
    result[tzid] = rows;
  }
  return result;
}

const [mode, a, b, c] = process.argv.slice(2);
const text = await readStdin();
let output;
if (mode === "occurrences") {
  allowDates = c === "dates";
  output = occurrences(text, a, b);
} else if (mode === "offsets") {
  output = offsets(text, Number(a), Number(b), Number(c || 3600));
} else if (mode === "changes") {
  output = changes(text, Number(a));
} else {
  process.stderr.write("usage: readers_icaljs.mjs occurrences|offsets|changes ARGS < file.ics\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(output));
