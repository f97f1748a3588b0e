/* Dash's widgets speak the page's language (<html lang>, set by app.py), not the browser's.

   1. The date picker names months and days with a date-fns locale from window.dateFns.locale: it takes the
      one matching the browser's languages, else the first listed. Listing only the page's own makes the page
      win: Indonesian (assets/date-fns-locale-id.js, loaded before this file) or date-fns's built-in English.
   2. A few of Dash's buttons carry English aria-labels ("Previous month", "Clear Dates"...). The page lists
      their translations (layouts/_chrome.py, from i18n.py) and each is relabelled as it appears. */
(function () {
  "use strict";

  var fns = window.dateFns || {};
  var known = fns.locale || {};
  window.dateFns = fns;
  Object.defineProperty(fns, "locale", {
    configurable: true,
    enumerable: true,
    get: function () {
      var own = known[document.documentElement.lang];
      return own ? {page: own} : {};
    }
  });

  var parsed = {text: null, labels: null};

  function translations() {
    var holder = document.getElementById("pantau-widget-labels");
    if (!holder) return null;
    var text = holder.getAttribute("data-labels") || "{}";
    if (text !== parsed.text) {
      try {
        parsed = {text: text, labels: JSON.parse(text)};
      } catch (e) {
        parsed = {text: text, labels: null};
      }
    }
    return parsed.labels;
  }

  function relabel(node, labels) {
    if (!node.querySelectorAll) return;
    var found = Array.prototype.slice.call(node.querySelectorAll("[aria-label]"));
    if (node.hasAttribute("aria-label")) found.push(node);
    found.forEach(function (el) {
      var own = labels[el.getAttribute("aria-label")];
      if (own) el.setAttribute("aria-label", own);
    });
  }

  new MutationObserver(function (records) {
    var labels = translations();
    if (!labels) return;
    records.forEach(function (record) {
      Array.prototype.forEach.call(record.addedNodes, function (node) {
        relabel(node, labels);
      });
    });
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
