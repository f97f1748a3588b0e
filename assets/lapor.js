/* Report form (/lapor): the receipt's copy and share buttons (see callbacks/lapor.py and layouts/lapor.py).
   Pure browser work: the reporter's link never goes back to the server. */
(function () {
  "use strict";

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function say(text) {
    window.dash_clientside.set_props("lapor-copy-status", {children: text});
  }

  /* Older phones and pages not served over HTTPS have no async clipboard: copy from a hidden text box. */
  function copyBySelection(text) {
    var box = document.createElement("textarea");
    box.value = text;
    box.setAttribute("readonly", "");
    box.style.position = "fixed";
    box.style.opacity = "0";
    document.body.appendChild(box);
    box.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (e) {
      done = false;
    }
    document.body.removeChild(box);
    return done;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_lapor: {
      copyLink: function (clicks, link) {
        if (!clicks || !link) return noUpdate();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(link.url).then(
            function () { say(link.copied); },
            function () { say(copyBySelection(link.url) ? link.copied : link.failed); }
          );
          return noUpdate();
        }
        return copyBySelection(link.url) ? link.copied : link.failed;
      },

      shareLink: function (clicks, link) {
        if (!clicks || !link || !navigator.share) return noUpdate();
        navigator.share({title: link.title, url: link.url}).catch(function () { /* closed by the user */ });
        return noUpdate();
      },

      canShare: function (link) {
        return !(link && typeof navigator.share === "function");
      }
    }
  });
})();
