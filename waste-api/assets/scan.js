// The Scan page's camera: the native BarcodeDetector where the browser has it, otherwise the vendored jsQR.
// A decoded code is submitted like a typed one (GET /scan?code=...), so the server decides what it opens.
(function () {
  "use strict";
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var status = document.getElementById("camera-status");
  if (!start || !video || !canvas || !status) return;
  var msg = function (key) { return status.getAttribute("data-" + key) || ""; };

  function open(code) {
    window.location.assign("/scan?code=" + encodeURIComponent(code.trim()));
  }

  function withJsQR(stream) {
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    function tick() {
      if (video.readyState >= 2 && video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR ? window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" }) : null;
        if (found && found.data) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          status.textContent = msg("found");
          open(found.data);
          return;
        }
      }
      window.requestAnimationFrame(tick);
    }
    tick();
  }

  function withDetector(stream, detector) {
    function tick() {
      detector.detect(video).then(function (codes) {
        if (codes.length > 0 && codes[0].rawValue) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          status.textContent = msg("found");
          open(codes[0].rawValue);
        } else {
          window.setTimeout(tick, 150);
        }
      }).catch(function () { withJsQR(stream); });
    }
    tick();
  }

  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = msg("nocamera");
      return;
    }
    status.textContent = msg("starting");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play().then(function () {
        status.textContent = msg("looking");
        var useNative = "BarcodeDetector" in window;
        if (useNative) {
          window.BarcodeDetector.getSupportedFormats().then(function (f) {
            if (f.indexOf("qr_code") >= 0) withDetector(stream, new window.BarcodeDetector({ formats: ["qr_code"] }));
            else withJsQR(stream);
          }).catch(function () { withJsQR(stream); });
        } else {
          withJsQR(stream);
        }
      });
    }).catch(function () {
      status.textContent = msg("nocamera");
    });
  });
})();
