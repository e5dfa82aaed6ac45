// Progressive enhancement only: every page reads well without this file.
// <time data-local datetime="2026-01-01T21:00:00Z"> gets the viewer's local time written beside it.
(function () {
  "use strict";
  // The one format of times on these pages ("Thursday 12 March 2026, 16:00 EDT", as the
  // server writes them in the series' zone), here in the viewer's zone.
  function fmt(date, dateOnly) {
    var opts = { weekday: "long", day: "numeric", month: "long", year: "numeric" };
    if (!dateOnly) {
      opts.hour = "2-digit"; opts.minute = "2-digit"; opts.hourCycle = "h23"; opts.timeZoneName = "short";
    }
    try {
      var p = {};
      new Intl.DateTimeFormat("en-GB", opts).formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
      var day = p.weekday + " " + p.day + " " + p.month + " " + p.year;
      return dateOnly ? day : day + ", " + p.hour + ":" + p.minute + " " + p.timeZoneName;
    } catch (e) { return date.toString(); }
  }
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";
    var out = document.createElement("span");
    out.className = "local-time muted";
    var dateOnly = el.getAttribute("data-local") === "date";
    var here = fmt(d, dateOnly);
    // The same date and wall time at the same instant is the same time: nothing to add (the
    // zone's name may be spelt differently, "EST" here and "GMT-5" there).
    var wall = function (text) { return dateOnly ? text : text.replace(/\s+\S+$/, ""); };
    if (wall(el.textContent.trim()) === wall(here)) { return; }
    out.textContent = " (your time: " + here + (here.slice(-zone.length) === zone ? "" : ", " + zone) + ")";
    // Beside a link rather than inside it: the link names the meeting, the viewer's time is a note.
    var link = el.parentNode && el.parentNode.nodeName === "A" ? el.parentNode : el;
    link.after(out);
  });
})();
// <button data-copy="ID" hidden> copies the value of the input #ID (a private calendar address):
// shown only where the script runs; the address stays selectable without it.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { button.textContent = "Copied"; };
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
