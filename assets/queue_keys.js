/* Keyboard on the operators' queue (layouts/operator.py): "/" jumps to the search box (unless typing
   already somewhere); Escape leaves it. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (e) {
    var box = document.getElementById("opf-q");
    if (!box) return;
    var tag = (e.target && e.target.tagName) || "";
    if (e.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(tag)) {
      e.preventDefault();
      box.focus();
    } else if (e.key === "Escape" && e.target === box) {
      box.blur();
    }
  });
})();
