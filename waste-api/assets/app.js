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
      if (area) area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + code;
      document.querySelectorAll(".expected li").forEach(function (li) {
        if (li.getAttribute("data-code") === code) {
          li.classList.add("scanned");
          var tick = li.querySelector(".tick");
          if (tick) tick.textContent = "\u2611";
        }
      });
      t.value = "";
      return;
    }
    if (t.hasAttribute("data-scan-focus")) {
      e.preventDefault();
      document.querySelectorAll(".rline").forEach(function (f) {
        if (f.getAttribute("data-code") === code) {
          f.classList.add("scanned");
          var w = f.querySelector("input[name^='weight_'], input[name^='gross_']");
          if (w) w.focus();
        }
      });
      t.value = "";
    }
  });
})();
