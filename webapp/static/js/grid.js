// The schedule grid: move talks and blocks by drag and drop or with the keyboard (the Move…
// dialog), one request per move through the placement service; a refusal is shown on the moved
// block at the place it was moved to; Undo puts the last move back. Without this file the
// programme page's forms do the same.
(function () {
  "use strict";
  var main = document.getElementById("grid-main");
  if (!main) { return; }
  var moveUrl = main.getAttribute("data-move-url");
  var csrf = main.getAttribute("data-csrf");
  var status = document.getElementById("grid-status");
  var undoButton = document.getElementById("grid-undo");
  var dialog = document.getElementById("move-dialog");
  var lastUndo = null;
  var dragged = null;
  var grabRows = 0;
  var dialogItem = null;

  function say(text) { status.textContent = text; }

  function post(fields) {
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    Object.keys(fields).forEach(function (k) { body.set(k, fields[k]); });
    return fetch(moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body
    }).then(function (r) {
      return r.json().catch(function () {
        return { ok: false, error: "The server answered " + r.status + "; reload the page." };
      });
    }, function () {
      return { ok: false, error: "The server could not be reached; nothing was moved." };
    });
  }

  // Fetch this page again and swap in the grid and its conflicts (the script state stays).
  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("grid-main");
        if (fresh) { main.innerHTML = fresh.innerHTML; }
      });
  }

  function cellAt(room, row) {
    return main.querySelector('.grid-cell[data-room="' + room + '"][data-row="' + row + '"]');
  }

  // A copy of the moved block at the refused place, with the reason on it.
  function showRefusal(block, cell, message) {
    clearRefusals();
    var ghost = block.cloneNode(true);
    ["draggable", "data-item", "data-room", "data-day", "data-start"].forEach(function (a) {
      ghost.removeAttribute(a);
    });
    ghost.removeAttribute("aria-labelledby");
    ghost.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    ghost.querySelectorAll("button, a, .gb-conflict").forEach(function (el) { el.remove(); });
    ghost.className = block.className.replace(/\b(gr|gs|gc)-\d+\b/g, "")
      .replace(/\ball-rooms\b|\bhas-conflict\b|\bmoving\b/g, "") + " refused";
    var span = (block.className.match(/\bgs-(\d+)\b/) || [0, "2"])[1];
    ghost.classList.add("gr-" + cell.getAttribute("data-row"), "gs-" + span);
    if (block.classList.contains("all-rooms")) { ghost.classList.add("all-rooms"); }
    else { ghost.classList.add((cell.className.match(/\bgc-\d+\b/) || ["gc-2"])[0]); }
    var why = document.createElement("strong");
    why.className = "gb-conflict";
    why.setAttribute("role", "alert");
    why.textContent = "Refused: " + message;
    ghost.appendChild(why);
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "gb-dismiss secondary";
    dismiss.textContent = "Dismiss";
    ghost.appendChild(dismiss);
    cell.parentNode.appendChild(ghost);
  }

  function clearRefusals() {
    main.querySelectorAll(".gb.refused").forEach(function (el) { el.remove(); });
  }

  function done(result, block, cell) {
    if (!result.ok) {
      if (cell) { showRefusal(block, cell, result.error); }
      say("Not moved: " + result.error);
      return false;
    }
    lastUndo = result.undo;
    undoButton.hidden = false;
    say(result.message + (result.warnings.length ? " Warning: " + result.warnings.join(" ") : ""));
    refresh();
    return true;
  }

  function move(block, fields, cell) {
    block.classList.add("moving");
    return post(fields).then(function (result) {
      block.classList.remove("moving");
      return done(result, block, cell);
    });
  }

  // -- drag and drop ---------------------------------------------------------------------------
  main.addEventListener("dragstart", function (e) {
    var block = e.target.closest && e.target.closest(".gb[draggable]");
    if (!block) { return; }
    dragged = block;
    var cell = main.querySelector(".grid-cell");
    var rowHeight = cell ? cell.getBoundingClientRect().height : 24;
    grabRows = block.closest(".grid-board")
      ? Math.floor((e.clientY - block.getBoundingClientRect().top) / rowHeight) : 0;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", block.getAttribute("data-item"));
  });

  function cellUnder(e) {
    var found = document.elementsFromPoint(e.clientX, e.clientY);
    for (var i = 0; i < found.length; i++) {
      if (found[i].classList.contains("grid-cell")) { return found[i]; }
    }
    return null;
  }

  main.addEventListener("dragover", function (e) {
    if (!dragged) { return; }
    var cell = cellUnder(e);
    main.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
    if (cell) { e.preventDefault(); cell.classList.add("drop-over"); }
  });

  main.addEventListener("drop", function (e) {
    if (!dragged) { return; }
    e.preventDefault();
    main.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
    var under = cellUnder(e);
    var block = dragged;
    dragged = null;
    if (!under) { return; }
    var row = Math.max(2, parseInt(under.getAttribute("data-row"), 10) - grabRows);
    var cell = cellAt(under.getAttribute("data-room"), row) || under;
    move(block, {
      item: block.getAttribute("data-item"),
      room: cell.getAttribute("data-room"),
      day: main.getAttribute("data-day"),
      start: cell.getAttribute("data-start")
    }, cell);
  });

  main.addEventListener("dragend", function () { dragged = null; });

  // -- keyboard: the Move… dialog ----------------------------------------------------------------
  var form = document.getElementById("move-form");
  var roomSelect = document.getElementById("move-room");
  var daySelect = document.getElementById("move-day");
  var startSelect = document.getElementById("move-start");
  var error = document.getElementById("move-error");

  function openDialog(block) {
    dialogItem = block;
    document.getElementById("move-what").textContent = "“" + block.getAttribute("data-title") + "”";
    error.textContent = "";
    if (block.getAttribute("data-room")) { roomSelect.value = block.getAttribute("data-room"); }
    roomSelect.disabled = block.classList.contains("all-rooms");
    daySelect.value = block.getAttribute("data-day") || main.getAttribute("data-day");
    if (block.getAttribute("data-start")) { startSelect.value = block.getAttribute("data-start"); }
    dialog.showModal();
    roomSelect.disabled ? daySelect.focus() : roomSelect.focus();
  }

  main.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button");
    if (!button) { return; }
    if (button.classList.contains("gb-dismiss")) { clearRefusals(); return; }
    if (button.classList.contains("gb-move")) { openDialog(button.closest(".gb")); }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var block = dialogItem;
    var fields = {
      item: block.getAttribute("data-item"),
      room: roomSelect.disabled ? "" : roomSelect.value,
      day: daySelect.value,
      start: startSelect.value
    };
    post(fields).then(function (result) {
      if (!result.ok) { error.textContent = result.error; }
      else { dialog.close(); }
      var onThisDay = fields.day === main.getAttribute("data-day");
      var target = null;
      if (onThisDay) {
        var room = fields.room || block.getAttribute("data-room") ||
          (main.querySelector(".grid-cell") || { getAttribute: function () { return ""; } })
            .getAttribute("data-room");
        target = main.querySelector('.grid-cell[data-room="' + room + '"][data-start="' +
          fields.start + '"]');
      }
      if (!result.ok && target) { dialog.close(); }
      done(result, block, target);
      var focusBack = main.querySelector('.gb[data-item="' + fields.item + '"] .gb-move');
      if (result.ok && focusBack) { focusBack.focus(); }
    });
  });

  document.getElementById("move-cancel").addEventListener("click", function () {
    dialog.close();
  });

  undoButton.addEventListener("click", function () {
    if (!lastUndo) { return; }
    var fields = lastUndo;
    post(fields).then(function (result) {
      if (!result.ok) { say("Undo refused: " + result.error); return; }
      lastUndo = null;
      undoButton.hidden = true;
      say("Undone: " + result.message);
      refresh();
    });
  });
})();
