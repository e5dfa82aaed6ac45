// Keeps what a scribe types in this browser (localStorage, keyed by the minutes id) until a save
// succeeds, so an expired sign-in or a dropped connection loses nothing. The page works without it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-minutes-id]");
  if (!form || !window.localStorage) { return; }
  var key = "cadence:minutes:" + form.getAttribute("data-minutes-id");
  var names = ["attendees", "notes", "decisions"];
  var notice = document.getElementById("restored-notice");

  function values() {
    var out = {};
    names.forEach(function (n) { if (form.elements[n]) { out[n] = form.elements[n].value; } });
    return out;
  }
  function norm(text) { return (text || "").replace(/\r\n?/g, "\n").replace(/\s+$/, ""); }
  function same(a, b) { return names.every(function (n) { return norm(a[n]) === norm(b[n]); }); }
  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write() {
    try {
      localStorage.setItem(key, JSON.stringify({
        fields: values(), version: form.elements.version ? form.elements.version.value : "", at: new Date().toISOString()
      }));
    } catch (e) { /* storage full or disabled: nothing to do */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  var server = values();
  var serverVersion = form.elements.version ? form.elements.version.value : "";
  if (form.hasAttribute("data-clear-draft")) { forget(); }
  var stored = read();
  if (stored && stored.fields) {
    if (same(stored.fields, server)) {
      forget();
    } else if (!form.hasAttribute("data-conflict")) {
      names.forEach(function (n) {
        if (form.elements[n] && typeof stored.fields[n] === "string") { form.elements[n].value = stored.fields[n]; }
      });
      // The draft was typed over the version it was loaded with: saving it names that version,
      // so a colleague's newer save is not overwritten but shown as a conflict.
      if (form.elements.version && stored.version) { form.elements.version.value = stored.version; }
      if (notice) {
        var when = notice.querySelector("[data-restored-at]");
        if (when && stored.at) { when.textContent = "(typed " + new Date(stored.at).toLocaleString() + ")"; }
        notice.hidden = false;
      }
    }
  }
  form.addEventListener("input", write);
  form.addEventListener("submit", write);
  var discard = notice && notice.querySelector("[data-discard-draft]");
  if (discard) {
    discard.addEventListener("click", function () {
      names.forEach(function (n) { if (form.elements[n]) { form.elements[n].value = server[n]; } });
      if (form.elements.version) { form.elements.version.value = serverVersion; }
      forget();
      notice.hidden = true;
    });
  }
})();
