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
