// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    var print = t.closest("[data-print]");
    if (print) { e.preventDefault(); window.print(); return; }
    var dismiss = t.closest("[data-dismiss]");
    if (dismiss) {
      var el = document.getElementById(dismiss.getAttribute("data-dismiss"));
      if (el) el.remove();
    }
  });
  // The live preview is replaced as the person types: a fold they opened stays open.
  var opened = [];
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail && e.detail.target;
    opened = target ? Array.prototype.map.call(target.querySelectorAll("details[open] > summary"), function (x) { return x.textContent; }) : [];
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (!target) return;
    target.querySelectorAll("details > summary").forEach(function (x) {
      if (opened.indexOf(x.textContent) >= 0) x.parentElement.open = true;
    });
  });
  // Scanning into a form (collect, dispatch, receive, a pickup request): a scanner gun types a code and Enter, the
  // in-form camera (scan.js) hands over each code it reads; both arrive in `accept`. The form's lines carry
  // `data-scan-line data-code data-what`. The field says what to do with a known code: `data-scan-into` adds it to
  // a list of codes (dispatch), `data-scan-focus` opens its line's weight (collect, receive), `data-scan-check`
  // ticks its box (a pickup request). A code not on the form is looked up (/scan/what) and said at once.
  var audio = null;
  function feedback(ok) {
    if (navigator.vibrate) navigator.vibrate(ok ? 60 : [90, 60, 90]);
    try {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return;
      audio = audio || new AC();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = ok ? 1320 : 300;
      g.gain.value = 0.08;
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + (ok ? 0.08 : 0.3));
    } catch (err) { /* no sound: the words and the list still say it */ }
  }
  // The note under the field (`<id>-note`) holds the last problem; the list (`<id>-log`) every scan, newest first.
  // From the camera the list alone says it: the note is for a typed code, kept in the field to be corrected.
  function tell(input, kind, text, fromCamera) {
    var note = document.getElementById(input.id + "-note");
    if (note && !fromCamera) note.textContent = kind === "bad" ? text : "";
    var log = document.getElementById(input.id + "-log");
    if (log) {
      var li = document.createElement("li");
      li.className = "scan-" + kind;
      li.textContent = (kind === "ok" ? "\u2713 " : kind === "again" ? "\u21BA " : "\u2717 ") + text;
      log.insertBefore(li, log.firstChild);
      while (log.children.length > 8) log.removeChild(log.lastChild);
    }
  }
  function allScanned(form) {
    var lines = form.querySelectorAll("[data-scan-line]");
    return lines.length > 0 && form.querySelectorAll("[data-scan-line].scanned").length === lines.length;
  }
  function unknown(input, code, fromCamera) {
    var fallback = (input.getAttribute("data-unknown") || "?") + " " + code;
    feedback(false);
    if (!window.fetch) { tell(input, "bad", fallback, fromCamera); return; }
    window.fetch("/scan/what?code=" + encodeURIComponent(code), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { tell(input, "bad", j && j.text ? j.text : fallback, fromCamera); })
      .catch(function () { tell(input, "bad", fallback, fromCamera); });
  }
  function accept(input, raw, fromCamera) {
    var code = (raw || "").trim();
    // A label's QR may hold a link to the container's page: its last segment is the code.
    var m = code.match(/\/c\/([^/?#]+)\/?$/);
    if (m) code = decodeURIComponent(m[1]);
    if (!code) return false;
    var form = input.form || document;
    var line = null;
    form.querySelectorAll("[data-scan-line]").forEach(function (l) {
      if (l.getAttribute("data-code") === code) line = l;
    });
    if (!line) {
      if (!fromCamera) input.select();
      unknown(input, code, fromCamera);
      return false;
    }
    var log = document.getElementById(input.id + "-log");
    var what = line.getAttribute("data-what") || code;
    if (line.classList.contains("scanned")) {
      tell(input, "again", (log && log.getAttribute("data-again") || "") + " " + what, fromCamera);
      feedback(true);
      input.value = "";
      return true;
    }
    line.classList.add("scanned");
    var tick = line.querySelector(".tick");
    if (tick) tick.textContent = "\u2611";
    var into = input.getAttribute("data-scan-into");
    if (into) {
      var area = document.getElementById(into);
      if (area) area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + code;
    }
    if (input.hasAttribute("data-scan-check")) {
      var box = line.querySelector("input[type=checkbox]");
      if (box) box.checked = true;
    }
    if (input.hasAttribute("data-scan-focus")) {
      var w = line.querySelector("input[name^='weight_'], input[name^='gross_']");
      // From the camera the line is shown, not focused: a focused field would cover the camera with a keyboard.
      if (w && !fromCamera) w.focus();
      else line.scrollIntoView({ block: "nearest" });
    }
    tell(input, "ok", what, fromCamera);
    feedback(true);
    input.value = "";
    return true;
  }
  window.wasteScan = { accept: accept, allScanned: allScanned };
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || !(t instanceof HTMLInputElement)) return;
    if (!t.hasAttribute("data-scan-into") && !t.hasAttribute("data-scan-focus") && !t.hasAttribute("data-scan-check")) return;
    e.preventDefault();
    accept(t, t.value, false);
  });
})();
