// Reads an iCalendar file the way Thunderbird does (Mozilla's ical.js), for tests/test_events_icaljs.py.
// Usage: node ical_read.mjs /path/to/ical.js/dist/ical.js < calendar.ics
// Prints JSON: each VEVENT's UID, SUMMARY, SEQUENCE, STATUS, TZID and its start as a Unix time,
// worked out from the file's own VTIMEZONE components (registered first, as a client does), so
// a TZID without its VTIMEZONE would read as floating local time and give another instant.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const ICAL = (await import(pathToFileURL(process.argv[2]).href)).default;
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
const zones = root.getAllSubcomponents("vtimezone").map((vtz) => {
  const zone = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(zone, zone.tzid);
  return zone.tzid;
});
const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  return {
    uid: event.uid,
    summary: event.summary,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    tzid: vevent.getFirstProperty("dtstart").getParameter("tzid") || null,
    floating: start.zone === ICAL.Timezone.localTimezone,
    start: start.toUnixTime(),
    end: event.endDate.toUnixTime(),
  };
});
process.stdout.write(JSON.stringify({ zones, events }));
