/* The operators' queue table and its tick boxes (layouts/operator.py, layouts/_queue.py, callbacks/operator.py).

   The server sends the rows as data (the dcc.Store "op-rows", every text already in the user's language);
   pantau_queue.draw, a clientside callback, builds the table in the empty <div id="op-table"> with plain DOM
   (text, never HTML: a description is the reporter's own words) and answers which reports stay ticked.
   Why not Dash components: two hundred rows of them took Dash's renderer over a second to draw, and a
   dcc.Checklist per row more; the same rows built here take a few milliseconds.

   Which reports are ticked lives in the dcc.Store "op-selected" (the bulk bar's callbacks read it). A tick
   in a row goes there at once; "Pilih semua yang tampil", "Kosongkan" and a click on the map go through
   pantau_queue.draw. When the rows change (filters, new data) the reports still shown stay ticked. */
(function () {
  "use strict";

  var SLOT = "op-table";
  var STORE = "op-selected";
  var latest = null; // the rows last sent, drawn as soon as the slot is on the page
  var chosen = new Set();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function cell(className) {
    return el("td", className);
  }

  function time(when) {
    var node = el("time", null, when.text);
    if (when.iso) node.setAttribute("datetime", when.iso);
    if (when.title) node.title = when.title;
    return node;
  }

  function row(r) {
    var tr = el("tr", "queue-row" + (r.overdue ? " is-overdue" : ""));
    tr.setAttribute("data-code", r.code);

    var check = cell("col-check");
    var label = el("label", "row-check");
    var box = el("input");
    box.type = "checkbox";
    box.value = r.code;
    box.checked = chosen.has(r.code);
    label.append(box, el("span", "visually-hidden", r.select));
    check.append(label);

    var code = cell("col-code");
    var link = el("a", "code-link", r.code);
    link.href = r.href;
    code.append(link);

    var status = cell();
    status.append(el("span", "badge badge-" + r.colour, r.status));
    if (r.chase) status.append(el("span", "chase-tag chase-" + r.chased, r.chase));
    if (r.handover_error) status.append(el("div", "cell-sub handover-error", r.handover_error));

    var what = cell();
    what.append(el("div", "cell-main", r.category), el("div", "cell-sub", r.description));

    var created = cell("col-created");
    if (r.created) created.append(time(r.created));

    var due = cell("col-due");
    if (r.due) due.append(time(r.due));
    if (r.overdue) due.append(el("br"), el("span", "overdue-tag", r.overdue));
    if (r.follow_up) {
      var followUp = el("div", "cell-sub handover-due", r.follow_up.label + " ");
      followUp.append(time(r.follow_up.when));
      due.append(followUp);
      if (r.follow_up.overdue) due.append(el("span", "overdue-tag", r.follow_up.overdue));
    }

    tr.append(check, code, status, what, el("td", null, r.place), el("td", null, r.opd), created, due);
    return tr;
  }

  function table(data) {
    if (!data.rows || !data.rows.length) return el("p", "queue-empty", data.empty || "");
    var node = el("table", "queue-table");
    node.id = "op-table-el";
    var head = el("tr");
    (data.head || []).forEach(function (name) {
      var th = el("th", null, name);
      th.scope = "col";
      head.append(th);
    });
    var thead = el("thead");
    thead.append(head);
    var tbody = el("tbody");
    data.rows.forEach(function (r) {
      tbody.append(row(r));
    });
    node.append(el("caption", "visually-hidden", data.caption), thead, tbody);
    return node;
  }

  // Draw the latest rows once their slot is on the page (Dash may run the callback before it renders it);
  // a tick box that had the focus keeps it.
  function show() {
    var slot = document.getElementById(SLOT);
    if (!slot || !latest || slot.pantauRows === latest) return;
    var focused = document.activeElement;
    var refocus = focused && slot.contains(focused) && focused.type === "checkbox" ? focused.value : null;
    slot.pantauRows = latest;
    slot.replaceChildren(table(latest));
    if (refocus !== null) {
      var again = slot.querySelector('input[value="' + CSS.escape(refocus) + '"]');
      if (again) again.focus();
    }
  }

  function codes() {
    return ((latest && latest.rows) || []).map(function (r) {
      return r.code;
    });
  }

  // The ticked codes in the table's order (what the store holds).
  function ticked() {
    return codes().filter(function (code) {
      return chosen.has(code);
    });
  }

  function showTicks() {
    var boxes = document.querySelectorAll("#" + SLOT + " .row-check input");
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = chosen.has(boxes[i].value);
  }

  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box || !box.matches || !box.matches("#" + SLOT + " .row-check input")) return;
    if (box.checked) chosen.add(box.value);
    else chosen.delete(box.value);
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(STORE, { data: ticked() });
    }
  });

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.pantau_queue = {
    // New rows, "Pilih semua yang tampil", "Kosongkan" or a marker clicked on the map: the ticks that follow.
    draw: function (data, _all, _none, click, selected) {
      var context = window.dash_clientside.callback_context;
      var by = context && context.triggered && context.triggered.length ? context.triggered[0].prop_id : "";
      by = by.split(".")[0];
      latest = data || { rows: [] };
      chosen = new Set(selected || []);
      if (by === "op-select-all") {
        chosen = new Set(codes());
      } else if (by === "op-select-none") {
        chosen = new Set();
      } else if (by === "op-map" && click && click.points && click.points.length) {
        var code = click.points[0].customdata;
        if (chosen.has(code)) chosen.delete(code);
        else chosen.add(code);
      }
      chosen = new Set(ticked()); // only reports still shown
      show();
      showTicks();
      return ticked();
    },
  };

  new MutationObserver(show).observe(document.documentElement, { childList: true, subtree: true });
})();
