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
  // The note under a scan field (`<id>-note`): empty after a known code, "not on this form: <code>" otherwise.
  function say(input, known, code) {
    var note = document.getElementById(input.id + "-note");
    if (note) note.textContent = known ? "" : (input.getAttribute("data-unknown") || "?") + " " + code;
    if (!known) input.select();
    return known;
  }
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
  // Scanning on the chain's forms: a scanner gun types a code and Enter. Into a list (dispatch): the code is added
  // to the scanned codes and its expected line ticked. To a line (receive): the line's weight field gets focus.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || !(t instanceof HTMLInputElement)) return;
    var code = t.value.trim();
    var into = t.getAttribute("data-scan-into");
    if (into) {
      e.preventDefault();
      if (!code) return;
      var area = document.getElementById(into);
      var known = false;
      document.querySelectorAll(".expected li").forEach(function (li) {
        if (li.getAttribute("data-code") === code) {
          known = true;
          li.classList.add("scanned");
          var tick = li.querySelector(".tick");
          if (tick) tick.textContent = "\u2611";
        }
      });
      // A code that is not on this form is said at once and kept in the field to be corrected.
      if (!say(t, known, code)) return;
      if (area) area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + code;
      t.value = "";
      return;
    }
    if (t.hasAttribute("data-scan-focus")) {
      e.preventDefault();
      var found = null;
      document.querySelectorAll(".rline").forEach(function (f) {
        if (f.getAttribute("data-code") === code) {
          found = f;
          f.classList.add("scanned");
        }
      });
      if (!say(t, !!found, code)) return;
      var w = found.querySelector("input[name^='weight_'], input[name^='gross_']");
      if (w) w.focus();
      t.value = "";
    }
  });
})();
