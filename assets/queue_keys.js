/* The operators' queue (/operator): "/" jumps to the search box (unless typing already); Escape leaves it.
   Registered once, by callbacks/operator.py when the page first draws. */
(function () {
  "use strict";

  function onKey(e) {
    var q = document.getElementById("opf-q");
    if (!q) return;
    var tag = (e.target && e.target.tagName) || "";
    if (e.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(tag)) {
      e.preventDefault();
      q.focus();
    } else if (e.key === "Escape" && e.target === q) {
      q.blur();
    }
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_queue: {
      keys: function (_lang) {
        if (!window.__pantauQueueKeys) {
          window.__pantauQueueKeys = true;
          document.addEventListener("keydown", onKey);
        }
        return window.dash_clientside.no_update;
      }
    }
  });
})();
