/* The leaders' dashboard (/pimpinan, callbacks/pimpinan.py): the area and period filters, a click on the
   map as a filter, the filters in the URL, and the export's progress bar shown at once. Pure UI. */
(function () {
  "use strict";

  var WIB_MS = 7 * 3600 * 1000; // the dashboard's days are WIB days, whatever the browser's time zone
  var DAY_MS = 86400 * 1000;

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function triggered() {
    return (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_pimpinan: {
      /* The kota, kecamatan and kelurahan lists narrow each other; picking a kelurahan fills in its
         kecamatan and kota. ``areas``: [{code, name, level, parent}]. */
      narrowAreas: function (kota, kecamatan, kelurahan, areas) {
        var nu = noUpdate();
        var byCode = {};
        (areas || []).forEach(function (a) { byCode[a.code] = a; });
        var trig = triggered();
        var k = kota, kc = kecamatan, kl = kelurahan;
        var parent = function (code) { return (code && byCode[code]) ? byCode[code].parent : null; };
        if (trig.indexOf("pim-kelurahan.value") >= 0 && kl && byCode[kl]) kc = parent(kl);
        if ((trig.indexOf("pim-kecamatan.value") >= 0 || trig.indexOf("pim-kelurahan.value") >= 0) && byCode[kc]) {
          k = parent(kc);
        }
        if (kc && k && byCode[kc] && parent(kc) !== k) kc = null;
        if (kl && byCode[kl] && ((kc && parent(kl) !== kc) || (!kc && k && parent(parent(kl)) !== k))) kl = null;
        var opts = function (level, keep) {
          return (areas || []).filter(function (a) { return a.level === level && keep(a); })
            .map(function (a) { return {label: a.name, value: a.code}; });
        };
        var kecOpts = opts("kecamatan", function (a) { return !k || a.parent === k; });
        var kelOpts = opts("kelurahan", function (a) {
          return kc ? a.parent === kc : (!k || (byCode[a.parent] && byCode[a.parent].parent === k));
        });
        // On the first call every value is passed on as it is, which starts the dashboard.
        var first = !trig.some(function (p) { return p.indexOf("pim-") === 0; });
        if (first) return [k, kecOpts, kc, kelOpts, kl];
        return [k === kota ? nu : k, kecOpts, kc === kecamatan ? nu : kc, kelOpts, kl === kelurahan ? nu : kl];
      },

      /* A click on the map picks that area as the filter and shows the next level down. */
      pickOnMap: function (click, level) {
        var nu = noUpdate();
        if (!click || !click.points || !click.points.length) return [nu, nu, nu, nu];
        var code = click.points[0].location;
        if (!code) return [nu, nu, nu, nu];
        if (level === "kota") return [code, null, null, "kecamatan"];
        if (level === "kecamatan") return [nu, code, null, "kelurahan"];
        return [nu, nu, code, nu];
      },

      /* Period presets fill in the dates; picking dates by hand makes the period "custom". */
      period: function (period, start, end) {
        var nu = noUpdate();
        var trig = triggered();
        var iso = function (d) { return d.toISOString().slice(0, 10); };
        var today = new Date(Date.now() + WIB_MS);
        var day = function (n) { return iso(new Date(today.getTime() - n * DAY_MS)); };
        if (trig.indexOf("pim-period.value") >= 0) {
          var y = today.getUTCFullYear(), m = String(today.getUTCMonth() + 1).padStart(2, "0");
          var ranges = {
            today: [day(0), day(0)], "7d": [day(6), day(0)], "30d": [day(29), day(0)],
            month: [y + "-" + m + "-01", day(0)], year: [y + "-01-01", day(0)], all: [null, null]
          };
          if (period in ranges) return [nu, ranges[period][0], ranges[period][1]];
          return [nu, nu, nu];
        }
        if (trig.some(function (t) { return t.indexOf("pim-dates.") === 0; })) {
          if (!start && !end) return [period === "all" ? nu : "all", nu, nu];
          if (start && end) return [period === "custom" ? nu : "custom", nu, nu];
        }
        return [nu, nu, nu];
      },

      /* Every filter state is in the URL: a new history entry per change (Back restores the previous view);
         the language switch keeps the filters. */
      pushUrl: function (target) {
        if (!target) return noUpdate();
        if (window.location.pathname + window.location.search !== target) {
          window.history.pushState(null, "", target);
        }
        var other = document.getElementById("lang-switch");
        if (other) {
          var url = new URL(target, window.location.origin);
          url.searchParams.set("lang", url.searchParams.get("lang") === "en" ? "id" : "en");
          other.setAttribute("href", url.pathname + url.search);
        }
        return target;
      },

      /* Starting an export shows its progress bar and polls for the rows sent so far. */
      showExport: function () {
        return [false, false];
      }
    }
  });
})();
