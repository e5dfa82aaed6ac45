// The call page's panels, in place. Forms marked .live-action are sent in the background
// (Accept: application/json) and the panel they name is redrawn from the server's answer; the
// attendee field looks up matches as the scribe types. Without this file every form still posts
// and comes back to the page.
(function () {
  "use strict";
  var status = document.getElementById("live-panels-status");

  function say(text) { if (status) { status.textContent = text || ""; } }

  function focusAfter(panel, label, fallbackSelector) {
    var target = null;
    if (label) {
      panel.querySelectorAll("button[aria-label], button").forEach(function (b) {
        if (!target && (b.getAttribute("aria-label") || b.textContent.trim()) === label) { target = b; }
      });
    }
    target = target || (fallbackSelector && panel.querySelector(fallbackSelector)) || panel.querySelector("h2");
    if (target) {
      if (target.tagName === "H2") { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }

  function redraw(body, label, fallbackSelector, keepFocus) {
    var panel = body && body.panel ? document.getElementById(body.panel) : null;
    if (!panel || !body.html) { return; }
    var holder = document.createElement("template");
    holder.innerHTML = body.html.trim();
    var fresh = holder.content.firstElementChild;
    if (!fresh) { return; }
    panel.replaceWith(fresh);
    if (!keepFocus) { focusAfter(fresh, label, fallbackSelector); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("live-action")) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    var label = button ? (button.getAttribute("aria-label") || button.textContent.trim()) : "";
    var item = form.closest("[data-follow-up], [data-review]");
    var fallback = null;
    if (item) {
      var attr = item.hasAttribute("data-follow-up") ? "data-follow-up" : "data-review";
      fallback = "[" + attr + "='" + item.getAttribute(attr) + "'] button";
    } else if (form.querySelector("input:not([type=hidden])")) {
      fallback = "#" + form.querySelector("input:not([type=hidden])").id;
      label = "";
    }
    if (button) { button.disabled = true; }
    say("Saving…");
    fetch(form.getAttribute("action"), { // not form.action: a field may be named "action"
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not JSON"); }
      return response.json();
    }).then(function (body) {
      redraw(body, label, fallback);
      say(body.message);
    }).catch(function () {
      form.submit(); // signed out or offline: the plain form says what happened
    });
  });

  // The attendee field: matches as you type; a name that matches no one is a new person.
  var timer = null;
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("input[data-lookup]")) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { lookup(field); }, 200);
  });

  function lookup(field) {
    var text = field.value.trim();
    var hint = document.getElementById(field.getAttribute("aria-describedby"));
    var list = document.getElementById(field.getAttribute("list"));
    if (!text) { if (hint) { hint.textContent = ""; } return; }
    fetch(field.getAttribute("data-lookup") + "?q=" + encodeURIComponent(text), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (field.value.trim() !== text) { return; }
      if (list) {
        list.replaceChildren.apply(list, body.suggestions.map(function (s) {
          var option = document.createElement("option");
          option.value = s.label;
          return option;
        }));
      }
      if (hint) {
        hint.className = "live-match" + (body.match ? "" : " live-match-new");
        hint.textContent = body.match ? "Matches " + body.match + "." :
          "New person: no one matches “" + text + "”; you will be asked before they are added.";
      }
    }).catch(function () { /* the form still works: the server asks before adding anyone */ });
  }

  // What the notes will become, as they are typed. The shared notes editor announces each change
  // with document.dispatchEvent(new CustomEvent("live-notes-changed", {detail: {text: "..."}}));
  // the text is sent at most every PREVIEW_DELAY ms (the last one always) and the panel redrawn.
  var PREVIEW_DELAY = 600;
  var pending = null, previewTimer = null, inFlight = false;

  function sendPreview() {
    var panel = document.getElementById("live-preview");
    if (!panel || pending === null || inFlight) { return; }
    var text = pending;
    pending = null;
    inFlight = true;
    fetch(panel.getAttribute("data-preview"), {
      method: "POST",
      body: JSON.stringify({ text: text }),
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": panel.getAttribute("data-csrf")
      },
      credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.panel) { redraw(body, "", null, true); }
    }).catch(function () { /* offline: the next change tries again */ }).then(function () {
      inFlight = false;
      if (pending !== null) { schedule(); }
    });
  }

  function schedule() {
    if (previewTimer) { return; }
    previewTimer = setTimeout(function () { previewTimer = null; sendPreview(); }, PREVIEW_DELAY);
  }

  document.addEventListener("live-notes-changed", function (event) {
    if (!event.detail || typeof event.detail.text !== "string") { return; }
    pending = event.detail.text;
    schedule();
  });
})();
