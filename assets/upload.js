/* The photo upload widgets (layouts/_upload.py, callbacks/_upload.py): the size check before anything is
   sent, and the label of dcc.Upload's file input. */
(function () {
  "use strict";

  var LABEL_RETRY_MS = 100;
  var LABEL_TRIES = 50;

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_upload: {
      /* Too large a file is not sent at all: only its size goes to the server, which answers with the
         message. ``ctx`` (the <prefix>-ctx store) holds {max_bytes}. */
      pending: function (contents, filename, ctx) {
        if (!contents) return window.dash_clientside.no_update;
        var bytes = Math.floor((contents.length - contents.indexOf(",") - 1) * 3 / 4);
        var max = (ctx && ctx.max_bytes) || Infinity;
        if (bytes > max) return {name: filename, bytes: bytes, too_large: true, at: Date.now()};
        return {name: filename, bytes: bytes, contents: contents, at: Date.now()};
      },

      /* dcc.Upload's file input has no label of its own: give it the visible one (and the hint beside it,
         <uploadId>-hint, when there is one). Dash loads dcc.Upload's code on demand, so the input may not
         be drawn yet when the page starts: look again, for a few seconds at most. */
      label: function (ctx, uploadId) {
        var tries = 0;
        (function apply() {
          var root = document.getElementById(uploadId);
          var input = root && root.querySelector("input[type=file]");
          if (!input) {
            if (tries++ < LABEL_TRIES) setTimeout(apply, LABEL_RETRY_MS);
            return;
          }
          var hintId = uploadId + "-hint";
          // The words a sighted visitor reads, without the decorative "+" (hidden from screen readers).
          var words = root.cloneNode(true);
          words.querySelectorAll("[aria-hidden=true]").forEach(function (el) { el.remove(); });
          input.setAttribute("aria-label", words.textContent.trim());
          if (document.getElementById(hintId)) input.setAttribute("aria-describedby", hintId);
        })();
        return "";
      }
    }
  });
})();
