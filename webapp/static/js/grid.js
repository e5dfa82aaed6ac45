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

  // Undo survives the page's reloads (sessionStorage of this tab); its label says what it does.
  var STORE = "cadence-grid-undo:" + moveUrl;
  function roomName(id) {
    var option = document.querySelector('#move-room option[value="' + id + '"]');
    return option ? option.textContent : "all rooms";
  }
  function dayName(day) {
    var option = document.querySelector('#move-day option[value="' + day + '"]');
    return option ? option.textContent : day;
  }
  function showUndo() {
    if (!lastUndo) { undoButton.hidden = true; return; }
    var f = lastUndo.fields;
    var where = f.unplace ? "to the list of talks not placed" :
      "to " + (f.room ? roomName(f.room) : "all rooms") + ", " + dayName(f.day) + " " + f.start;
    undoButton.textContent = "Undo the last move (“" + lastUndo.title + "” back " + where + ")";
    undoButton.hidden = false;
  }
  function setUndo(fields, title) {
    lastUndo = fields ? { fields: fields, title: title } : null;
    try {
      if (lastUndo) { window.sessionStorage.setItem(STORE, JSON.stringify(lastUndo)); }
      else { window.sessionStorage.removeItem(STORE); }
    } catch (ignore) { /* storage off: Undo lasts until the page is left */ }
    showUndo();
  }
  try { lastUndo = JSON.parse(window.sessionStorage.getItem(STORE) || "null"); }
  catch (ignore) { lastUndo = null; }
  showUndo();

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
    setUndo(result.undo, block.getAttribute("data-title"));
    say(result.message + (result.warnings.length ? " Warning: " + result.warnings.join(" ") : ""));
    return refresh().then(function () { refocus(result.item); return true; });
  }

  function refocus(item) {
    var button = main.querySelector('.gb[data-item="' + item + '"] .gb-move');
    if (button) { button.focus(); }
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
    });
  });

  // -- keyboard: arrow keys on a block's Move… button ------------------------------------------
  // An arrow key picks the block up: Up/Down move it a row, Left/Right a room (the place is
  // announced and previewed); Enter moves it there, Escape puts it down where it was.
  var picked = null;

  function rooms() {
    var seen = [];
    main.querySelectorAll(".grid-cell").forEach(function (c) {
      var r = c.getAttribute("data-room");
      if (seen.indexOf(r) < 0) { seen.push(r); }
    });
    return seen;
  }

  function preview() {
    var cell = cellAt(picked.rooms[picked.room], picked.row);
    if (!cell) { return; }
    picked.cell = cell;
    main.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
    cell.classList.add("drop-over");
    var head = document.getElementById("room-" + cell.getAttribute("data-room"));
    say("“" + picked.block.getAttribute("data-title") + "” to " +
      (picked.allRooms ? "all rooms" : (head ? head.textContent : "")) + ", " +
      cell.getAttribute("data-start") + ". Enter moves it there, Escape cancels.");
  }

  function pick(block) {
    var first = main.querySelector(".grid-cell");
    var list = rooms();
    var startCell = main.querySelector('.grid-cell[data-room="' +
      (block.getAttribute("data-room") || list[0]) + '"][data-start="' +
      block.getAttribute("data-start") + '"]') || first;
    if (!startCell) { return; }
    picked = {
      block: block,
      rooms: list,
      room: Math.max(0, list.indexOf(startCell.getAttribute("data-room"))),
      row: parseInt(startCell.getAttribute("data-row"), 10),
      allRooms: block.classList.contains("all-rooms")
    };
    block.classList.add("picked");
  }

  function drop(commit) {
    var p = picked;
    picked = null;
    p.block.classList.remove("picked");
    main.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
    if (!commit) { say("Not moved."); return; }
    move(p.block, {
      item: p.block.getAttribute("data-item"),
      room: p.allRooms ? "" : p.cell.getAttribute("data-room"),
      day: main.getAttribute("data-day"),
      start: p.cell.getAttribute("data-start")
    }, p.cell);
  }

  var STEPS = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
  main.addEventListener("keydown", function (e) {
    var button = e.target.closest && e.target.closest(".grid-board .gb-move");
    if (!button) { return; }
    var step = STEPS[e.key];
    if (step) {
      e.preventDefault();
      if (!picked || picked.block !== button.closest(".gb")) { pick(button.closest(".gb")); }
      if (!picked) { return; }
      if (!picked.allRooms) {
        picked.room = Math.min(picked.rooms.length - 1, Math.max(0, picked.room + step[0]));
      }
      var next = picked.row + step[1];
      if (cellAt(picked.rooms[picked.room], next)) { picked.row = next; }
      preview();
    } else if (picked && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      drop(true);
    } else if (picked && e.key === "Escape") {
      e.preventDefault();
      drop(false);
    }
  });

  main.addEventListener("focusout", function (e) {
    if (picked && e.target.closest && e.target.closest(".gb") === picked.block) { drop(false); }
  });

  document.getElementById("move-cancel").addEventListener("click", function () {
    dialog.close();
  });

  undoButton.addEventListener("click", function () {
    if (!lastUndo) { return; }
    post(lastUndo.fields).then(function (result) {
      if (!result.ok) { say("Undo refused: " + result.error); return; }
      setUndo(null);
      say("Undone: " + result.message);
      refresh();
    });
  });
})();
