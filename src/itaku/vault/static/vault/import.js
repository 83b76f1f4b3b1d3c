/* The vault's import page: send the file with a progress bar, then follow the server's reading of it.
   Loaded from the installation (no inline script: the CSP forbids it). Without this script the form posts
   as usual and the page comes back with the report. */
(function () {
  "use strict";

  var POLL_MS = 500;

  function token() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function show(box, label, fraction) {
    var bar = box.querySelector("progress");
    var text = box.querySelector(".progress-label");
    if (fraction === null) {
      bar.removeAttribute("value"); /* indeterminate */
      text.textContent = label;
    } else {
      var percent = Math.min(100, Math.floor(fraction * 100));
      bar.value = percent;
      text.textContent = label + " " + percent + "%";
    }
  }

  /* The server's page replaces this one's <main>: the report, or the form with its errors. */
  function replaceMain(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
    var main = document.querySelector("main");
    if (!fresh || !main) {
      return false;
    }
    main.replaceChildren.apply(main, Array.prototype.map.call(fresh.childNodes, function (node) {
      return document.importNode(node, true);
    }));
    var report = document.getElementById("import-report") || main.querySelector(".error");
    if (report && report.scrollIntoView) {
      report.scrollIntoView();
    }
    return true;
  }

  function send(form) {
    var box = document.getElementById("import-progress");
    var button = form.querySelector("button[type=submit]");
    var key = token();
    var url = form.getAttribute("data-progress-url") + "?token=" + key;
    var polling = null;
    form.elements.progress_token.value = key;
    var data = new FormData(form);
    var request = new XMLHttpRequest();

    function stopPolling() {
      if (polling !== null) {
        window.clearTimeout(polling);
        polling = null;
      }
    }

    function poll() {
      var check = new XMLHttpRequest();
      check.open("GET", url);
      check.setRequestHeader("Accept", "application/json");
      check.onload = function () {
        if (polling === null) {
          return; /* the import's answer came meanwhile */
        }
        if (check.status === 200) {
          var state = JSON.parse(check.responseText);
          show(box, box.getAttribute("data-processing"), state.total ? state.done / state.total : 0);
        }
        polling = window.setTimeout(poll, POLL_MS);
      };
      check.onerror = function () {
        polling = window.setTimeout(poll, POLL_MS);
      };
      check.send();
    }

    function failed() {
      stopPolling();
      button.disabled = false;
      show(box, box.getAttribute("data-failed"), 0);
    }

    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        show(box, box.getAttribute("data-uploading"), event.loaded / event.total);
      }
    });
    request.upload.addEventListener("load", function () {
      show(box, box.getAttribute("data-waiting"), null);
      polling = window.setTimeout(poll, POLL_MS);
    });
    request.addEventListener("load", function () {
      stopPolling();
      if (!replaceMain(request.responseText)) {
        failed();
      }
    });
    request.addEventListener("error", failed);
    request.addEventListener("abort", failed);
    button.disabled = true;
    box.hidden = false;
    show(box, box.getAttribute("data-uploading"), 0);
    request.send(data);
  }

  /* Delegated, so that the form the server sends back (errors, a new try) works the same. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "import-form" || !window.FormData || !window.XMLHttpRequest || !window.crypto) {
      return;
    }
    event.preventDefault();
    send(form);
  });
}());
