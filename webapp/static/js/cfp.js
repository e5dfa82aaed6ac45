// Progressive enhancement: a live countdown to the CFP deadline. The server writes the same
// text ("closes in 3 days") so the page reads well without this file.
(function () {
  "use strict";
  var els = document.querySelectorAll("[data-countdown]");
  if (!els.length) { return; }
  function text(ms) {
    if (ms <= 0) { return "closed"; }
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
        m = Math.floor((s % 3600) / 60);
    if (d >= 2) { return "closes in " + d + " days, " + h + " h"; }
    if (d >= 1 || h >= 2) { return "closes in " + (d * 24 + h) + " hours, " + m + " min"; }
    return "closes in " + m + " min " + (s % 60) + " s";
  }
  function tick() {
    els.forEach(function (el) {
      el.textContent = text(new Date(el.getAttribute("data-countdown")) - new Date());
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
