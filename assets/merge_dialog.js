/* The question asked before a merge on the staff complaint page (layouts/_merge.py): when it opens it takes
   the focus (on "yes", so the keyboard answers it at once) and remembers where the focus was; Escape or
   "Batal" closes it and gives the focus back; Tab stays inside it while it is open. */
(function () {
  "use strict";

  var opener = null;

  function dialog() {
    return document.getElementById("cp-merge-ask");
  }

  function isOpen() {
    var el = dialog();
    return !!el && !el.hidden;
  }

  document.addEventListener("keydown", function (e) {
    if (!isOpen()) return;
    if (e.key === "Escape") {
      e.preventDefault();
      var no = document.getElementById("cp-merge-no");
      if (no) no.click();
    } else if (e.key === "Tab") {
      var buttons = dialog().querySelectorAll("button");
      if (!buttons.length) return;
      var first = buttons[0];
      var last = buttons[buttons.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_merge: {
      focus: function (hidden) {
        if (!hidden) {
          opener = document.activeElement;
          window.setTimeout(function () {
            var yes = document.getElementById("cp-merge-yes");
            if (yes) yes.focus();
          }, 0);
        } else if (opener && document.body.contains(opener)) {
          opener.focus();
          opener = null;
        }
        return window.dash_clientside.no_update;
      },
      close: function () {
        return true;
      },
    },
  });
})();
