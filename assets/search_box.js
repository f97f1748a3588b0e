/* Search boxes only the person typing writes (the operators' queue search, layouts/operator.py).

   The page holds an empty <div data-search-slot data-input-id="ID" data-store="STORE" data-wait-ms="N"
   data-placeholder="…">; this script puts a plain <input type="search" id="ID"> in it, which Dash and
   React never render a value into. What is typed goes to the dcc.Store STORE when typing pauses for N ms,
   at once on Enter, and on leaving the box; callbacks read the store, never the box.

   Why not dcc.Input with debounce: Dash 4's input puts the caret back after each key press on a timer;
   when the page is busy (the queue and its map redrawing, a slow PC) that timer fires after the next key
   press and moves the caret back one place, so letters swap ("berlubang besar" became "berlubang besra").
   Dash 4 has no plain html.Input to use instead. */
(function () {
  "use strict";

  var DEFAULT_WAIT_MS = 400;
  var timers = {};

  function storeOf(el) {
    return el && el.tagName === "INPUT" && el.getAttribute ? el.getAttribute("data-store") : null;
  }

  function mount(slot) {
    if (slot.querySelector("input")) return;
    var box = document.createElement("input");
    box.type = "search";
    box.id = slot.getAttribute("data-input-id");
    box.placeholder = slot.getAttribute("data-placeholder") || "";
    box.autocomplete = "off";
    box.spellcheck = false;
    box.setAttribute("data-store", slot.getAttribute("data-store"));
    box.setAttribute("data-wait-ms", slot.getAttribute("data-wait-ms") || String(DEFAULT_WAIT_MS));
    slot.appendChild(box);
  }

  function mountAll() {
    var slots = document.querySelectorAll("[data-search-slot]");
    for (var i = 0; i < slots.length; i++) mount(slots[i]);
  }

  function send(box) {
    var id = storeOf(box);
    window.clearTimeout(timers[id]);
    delete timers[id];
    var text = box.value.trim();
    var last = box.pantauSent === undefined ? "" : box.pantauSent;
    if (text === last || !window.dash_clientside || !window.dash_clientside.set_props) return;
    box.pantauSent = text;
    window.dash_clientside.set_props(id, { data: text });
  }

  document.addEventListener("input", function (e) {
    var id = storeOf(e.target);
    if (!id) return;
    var box = e.target;
    var wait = Number(box.getAttribute("data-wait-ms")) || DEFAULT_WAIT_MS;
    window.clearTimeout(timers[id]);
    timers[id] = window.setTimeout(function () {
      send(box);
    }, wait);
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && storeOf(e.target)) send(e.target);
  });

  document.addEventListener("focusout", function (e) {
    if (storeOf(e.target)) send(e.target);
  });

  // Dash draws pages after this script runs, and again on every navigation.
  new MutationObserver(mountAll).observe(document.documentElement, { childList: true, subtree: true });
  mountAll();
})();
