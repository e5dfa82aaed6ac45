// Progressive enhancement only: every page reads well without this file.
// <time data-local datetime="2026-01-01T21:00:00Z"> gets the viewer's local time written beside it.
(function () {
  "use strict";
  function fmt(date, opts) {
    try { return new Intl.DateTimeFormat(undefined, opts).format(date); } catch (e) { return date.toString(); }
  }
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";
    var style = el.getAttribute("data-local") === "date" ? { dateStyle: "full" } : { dateStyle: "medium", timeStyle: "short" };
    var out = document.createElement("span");
    out.className = "local-time muted";
    out.textContent = " (" + fmt(d, style) + " " + zone + ")";
    el.after(out);
  });
})();
