/* When the server answers a Dash callback with 503 (the database is away or busy; see api/errors.py)
   or 413 (more data than a request may carry), show its message in a banner instead of failing
   silently; the next good answer hides it. A page whose content never arrived is reloaded once the
   database answers /healthz again; a page with content is left alone, so nobody loses what they
   were typing. */
(function () {
  "use strict";

  var CALLBACK_PATH = "_dash-update-component";
  var HEALTH_POLL_MS = 5000;
  var polling = null;

  function banner() {
    var el = document.getElementById("pantau-unavailable");
    if (!el) {
      el = document.createElement("div");
      el.id = "pantau-unavailable";
      el.className = "pantau-unavailable";
      el.setAttribute("role", "alert");
      el.hidden = true;
      document.body.insertBefore(el, document.body.firstChild);
    }
    return el;
  }

  function pageIsEmpty() {
    var content = document.getElementById("_pages_content");
    return !content || content.children.length === 0;
  }

  function hide() {
    var el = document.getElementById("pantau-unavailable");
    if (el) el.hidden = true;
    if (polling) {
      clearInterval(polling);
      polling = null;
    }
  }

  function watchHealth() {
    if (polling) return;
    polling = setInterval(function () {
      fetch("/healthz", { cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (health) {
          if (health.database !== "ok") return;
          if (pageIsEmpty()) window.location.reload();
          else hide();
        })
        .catch(function () {});
    }, HEALTH_POLL_MS);
  }

  function show(message, waitForHealth) {
    var el = banner();
    el.textContent = message;
    el.hidden = false;
    if (waitForHealth) watchHealth();
  }

  var originalFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var promise = originalFetch(input, init);
    if (url.indexOf(CALLBACK_PATH) === -1) return promise;
    return promise.then(function (response) {
      // 503: the database is away or busy; 413: more data than a request may carry (api/errors.py).
      if (response.status === 503 || response.status === 413) {
        var away = response.status === 503;
        response.clone().json()
          .then(function (body) { show(body.error || response.statusText, away); })
          .catch(function () { show(response.statusText, away); });
      } else if (response.ok) {
        hide();
      }
      return response;
    });
  };
})();
