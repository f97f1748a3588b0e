/* The leaders' comparison tables (/pimpinan: agencies and kecamatan), drawn and sorted here from the rows the
   dashboard callback sends (the dcc.Store "pim-rows", callbacks/pimpinan.py): each row's texts already in the
   user's language (its "cells", in column order), with the raw numbers to sort by. Plain DOM, text only.
   Why not Dash components: the two tables' rows took Dash's renderer about two seconds to draw, the map
   waiting behind them.

   A column's button sorts by it (again: the other way); names from A, numbers from the largest; rows without
   a value stay last. The sort of each table is kept in "pim-sort" while the filters change. */
(function () {
  "use strict";

  var TABLES = ["opd", "kecamatan"];
  var latest = null; // the rows last sent
  var sorts = {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function sorted(rows, sort) {
    var column = sort[0];
    var sign = sort[1] === "asc" ? 1 : -1;
    var present = rows.filter(function (r) {
      return r[column] !== null && r[column] !== undefined;
    });
    var missing = rows.filter(function (r) {
      return r[column] === null || r[column] === undefined;
    });
    present.sort(function (a, b) {
      var x = column === "name" ? String(a.name).toLowerCase() : a[column];
      var y = column === "name" ? String(b.name).toLowerCase() : b[column];
      return x < y ? -sign : x > y ? sign : 0;
    });
    return present.concat(missing);
  }

  function draw(kind) {
    var table = document.getElementById("pim-" + kind + "-table");
    if (!table) return;
    if (!latest || !latest[kind]) {
      table.replaceChildren();
      return;
    }
    var sort = sorts[kind] || ["reports", "desc"];
    var columns = latest.columns || [];
    var head = el("tr");
    columns.forEach(function (column) {
      var th = el("th");
      th.scope = "col";
      var button = el("button", "pim-sort", column[1]);
      button.type = "button";
      button.setAttribute("data-table", kind);
      button.setAttribute("data-col", column[0]);
      if (column[0] === sort[0]) {
        th.setAttribute("aria-sort", sort[1] === "asc" ? "ascending" : "descending");
        var arrow = el("span", null, sort[1] === "asc" ? " ▲" : " ▼");
        arrow.setAttribute("aria-hidden", "true");
        button.append(arrow);
      }
      th.append(button);
      head.append(th);
    });
    var body = el("tbody");
    sorted(latest[kind], sort).forEach(function (r) {
      var tr = el("tr", [r.fastest && "row-fastest", r.slowest && "row-slowest", !r.ranked && "row-unranked"]
        .filter(Boolean).join(" "));
      tr.setAttribute("data-code", r.code || "");
      r.cells.forEach(function (text, i) {
        var key = columns[i] && columns[i][0];
        if (i === 0) {
          var name = el("th", null, text);
          name.scope = "row";
          (r.badges || []).forEach(function (badge) {
            name.append(el("span", badge[0], badge[1]));
          });
          tr.append(name);
        } else {
          var td = el("td", null, text);
          if (key === "satisfied") td.title = r.title;
          tr.append(td);
        }
      });
      body.append(tr);
    });
    if (!latest[kind].length) {
      var none = el("td", null, latest.empty);
      none.colSpan = columns.length;
      var row = el("tr");
      row.append(none);
      body.append(row);
    }
    var thead = el("thead");
    thead.append(head);
    table.replaceChildren(thead, body);
  }

  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button.pim-sort[data-table]") : null;
    if (!button) return;
    var kind = button.getAttribute("data-table");
    var column = button.getAttribute("data-col");
    var current = sorts[kind] || ["reports", "desc"];
    var direction =
      current[0] === column ? (current[1] === "desc" ? "asc" : "desc") : column === "name" ? "asc" : "desc";
    sorts[kind] = [column, direction];
    draw(kind);
    var again = document.querySelector('button.pim-sort[data-table="' + kind + '"][data-col="' + column + '"]');
    if (again) again.focus();
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("pim-sort", { data: Object.assign({}, sorts) });
    }
  });

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.pantau_leaders = {
    // New rows from the dashboard callback: both tables drawn again, each in the sort it had.
    tables: function (rows, sort) {
      latest = rows;
      sorts = Object.assign({}, sort || {});
      TABLES.forEach(draw);
      return window.dash_clientside.no_update;
    },
  };
})();
