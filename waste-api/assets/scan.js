// The camera, on the Scan page and inside the forms that take containers: the native BarcodeDetector where the
// browser has it, otherwise the vendored jsQR. On the Scan page (`#camera-start`) the first code read is opened
// like a typed one (GET /scan?code=...). In a form (`.scanner[data-camera=FIELD]`) the camera keeps reading and
// hands each new code to the form's scan field exactly as a typed code + Enter (app.js `wasteScan.accept`); a code
// that stays in view is taken once, and again only after it has been out of view for a moment.
(function () {
  "use strict";
  var HOLD_MS = 2500;

  /** Starts the back camera into `video`; calls `onCode(text)` for what it reads until `stop()`. */
  function camera(video, canvas, onCode, onError) {
    var stream = null, timer = null, stopped = false;
    function stop() {
      stopped = true;
      if (timer) window.clearTimeout(timer);
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      video.hidden = true;
    }
    function withJsQR() {
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      (function tick() {
        if (stopped) return;
        if (video.readyState >= 2 && video.videoWidth > 0) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var found = window.jsQR ? window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" }) : null;
          if (found && found.data) onCode(found.data);
        }
        timer = window.setTimeout(tick, 120);
      })();
    }
    function withDetector(detector) {
      (function tick() {
        if (stopped) return;
        detector.detect(video).then(function (codes) {
          if (codes.length > 0 && codes[0].rawValue) onCode(codes[0].rawValue);
          timer = window.setTimeout(tick, 120);
        }).catch(function () { withJsQR(); });
      })();
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      onError();
      return { stop: stop };
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      if (stopped) { stop(); return; }
      video.srcObject = s;
      video.hidden = false;
      return video.play().then(function () {
        if (!("BarcodeDetector" in window)) { withJsQR(); return; }
        window.BarcodeDetector.getSupportedFormats().then(function (f) {
          if (f.indexOf("qr_code") >= 0) withDetector(new window.BarcodeDetector({ formats: ["qr_code"] }));
          else withJsQR();
        }).catch(function () { withJsQR(); });
      });
    }).catch(function () { stop(); onError(); });
    return { stop: stop };
  }

  // The Scan page: the first code read opens its container or manifest.
  var start = document.getElementById("camera-start");
  var status = document.getElementById("camera-status");
  if (start && status) {
    var msg = function (key) { return status.getAttribute("data-" + key) || ""; };
    start.addEventListener("click", function () {
      status.textContent = msg("starting");
      var done = false;
      var cam = camera(document.getElementById("camera"), document.getElementById("frame"), function (code) {
        if (done) return;
        done = true;
        cam.stop();
        status.textContent = msg("found");
        window.location.assign("/scan?code=" + encodeURIComponent(code.trim()));
      }, function () { status.textContent = msg("nocamera"); });
      status.textContent = msg("looking");
    });
  }

  // The forms: keep reading until stopped, or until the page is left.
  document.querySelectorAll(".scanner[data-camera]").forEach(function (box) {
    var field = document.getElementById(box.getAttribute("data-camera"));
    var go = box.querySelector("[data-camera-start]");
    var halt = box.querySelector("[data-camera-stop]");
    var say = box.querySelector("[data-camera-status]");
    if (!field || !go || !halt || !say) return;
    var msg = function (key) { return box.getAttribute("data-" + key) || ""; };
    var cam = null, last = "", lastSeen = 0;
    function stop(text) {
      if (cam) cam.stop();
      cam = null;
      go.hidden = false;
      halt.hidden = true;
      say.textContent = text;
    }
    go.addEventListener("click", function () {
      say.textContent = msg("starting");
      go.hidden = true;
      halt.hidden = false;
      cam = camera(box.querySelector("video"), box.querySelector("canvas"), function (code) {
        var now = Date.now();
        var held = code === last && now - lastSeen < HOLD_MS;
        last = code;
        lastSeen = now;
        if (held || !window.wasteScan) return;
        window.wasteScan.accept(field, code, true);
        var form = field.form || document;
        say.textContent = window.wasteScan.allScanned(form) ? msg("all") : msg("looking");
      }, function () { stop(msg("nocamera")); });
      say.textContent = msg("looking");
    });
    halt.addEventListener("click", function () { stop(msg("stopped")); });
    window.addEventListener("pagehide", function () { if (cam) cam.stop(); });
  });
})();
