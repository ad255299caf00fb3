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
})();
