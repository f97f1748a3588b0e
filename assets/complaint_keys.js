/* The complaint page (/pengaduan/<code>): the key A jumps to the action panel (layouts/complaint.py shows the
   hint and gives its link the same access key). Not while typing: a text box keeps its letters. */
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    if (tag !== "INPUT") return false;
    return ["radio", "checkbox", "button", "submit", "reset", "file"].indexOf(el.type) < 0;
  }

  function toActions() {
    var panel = document.getElementById("cp-actions");
    if (!panel) return false;
    var radios = panel.querySelectorAll("#cp-action input[type=radio]");
    var target = panel.querySelector("#cp-action input[type=radio]:checked") || radios[0] || panel;
    panel.scrollIntoView({block: "start"});
    target.focus({preventScroll: true});
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "a" && event.key !== "A") return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target)) return;
    if (toActions()) event.preventDefault();
  });

  /* The link in the page (and its access key) lands on the first choice too, not only on the panel. */
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("#cp-to-actions");
    if (link && toActions()) event.preventDefault();
  });
})();
