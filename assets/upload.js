/* The photo upload widgets (layouts/_upload.py, callbacks/_upload.py): the size check before anything is
   sent, and the label of dcc.Upload's file input. */
(function () {
  "use strict";

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
         <uploadId>-hint, when there is one). */
      label: function (ctx, uploadId) {
        var root = document.getElementById(uploadId);
        var input = root && root.querySelector("input[type=file]");
        var hintId = uploadId + "-hint";
        if (input) {
          input.setAttribute("aria-label", root.textContent.trim());
          if (document.getElementById(hintId)) input.setAttribute("aria-describedby", hintId);
        }
        return "";
      }
    }
  });
})();
