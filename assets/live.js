/* Wall screen (/live): the browser-side half of its callbacks (see callbacks/live.py). */
(function () {
  "use strict";

  var MARKER_TRACE = "scattermap";

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function agoText(at, now, texts) {
    var seconds = Math.max(0, Math.floor((now - at) / 1000));
    if (seconds < 60) return texts.just_now;
    if (seconds < 3600) return texts.minutes_ago.replace("{n}", Math.floor(seconds / 60));
    if (seconds < 86400) return texts.hours_ago.replace("{n}", Math.floor(seconds / 3600));
    return texts.days_ago.replace("{n}", Math.floor(seconds / 86400));
  }

  /* Names written on the map and the pulse of a new report are HTML over the map (#wall-overlay), each
     kept at its place as the map moves: MapLibre text would fetch glyphs from the internet. */
  var PULSE_MS = 10000;

  function mapOf() {
    var gd = document.querySelector("#wall-map .js-plotly-plot");
    var map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return (map && map.map) || null;
  }

  /* Each pinned element at its place; a name that would cover one already written (most troubled
     first) moves down below it, so every name stays readable. */
  function place() {
    var map = mapOf();
    var layer = document.getElementById("wall-overlay");
    if (!map || !layer) return;
    var written = [];
    // map.project counts from the map's own box, which need not start where the overlay does.
    var mapBox = map.getContainer().getBoundingClientRect(), layerBox = layer.getBoundingClientRect();
    var dx = mapBox.left - layerBox.left, dy = mapBox.top - layerBox.top;
    layer.querySelectorAll("[data-lon]").forEach(function (el) {
      var p = map.project([Number(el.getAttribute("data-lon")), Number(el.getAttribute("data-lat"))]);
      var x = p.x + dx, y = p.y + dy;
      var box = el.firstChild;
      if (el.classList.contains("wall-label") && box) {
        var w = box.offsetWidth, h = box.offsetHeight, moved = true;
        for (var round = 0; moved && round < 10; round++) {
          moved = false;
          for (var i = 0; i < written.length; i++) {
            var o = written[i];
            if (Math.abs(x - o.x) < (w + o.w) / 2 + 4 && Math.abs(y - o.y) < (h + o.h) / 2 + 4) {
              y = o.y + (h + o.h) / 2 + 6;
              moved = true;
            }
          }
        }
        written.push({x: x, y: y, w: w, h: h});
      }
      el.style.transform = "translate(" + Math.round(x) + "px, " + Math.round(y) + "px)";
    });
  }

  /* Runs fn once the map exists (Plotly draws it after the page arrives), following its moves. */
  function whenMap(fn) {
    var tries = 0;
    (function attempt() {
      var map = mapOf();
      if (map) {
        if (!map.__pantauOverlay) {
          map.__pantauOverlay = true;
          map.on("move", place);
          map.on("resize", place);
          map.on("load", place);
        }
        fn();
        place();
      } else if (tries++ < 600) {
        setTimeout(attempt, 100);
      }
    })();
  }

  function pinned(className, lon, lat) {
    var el = document.createElement("div");
    el.className = className;
    el.setAttribute("data-lon", lon);
    el.setAttribute("data-lat", lat);
    return el;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_wall: {
      /* The names of the most troubled areas, written where each area is. */
      labels: function (labels) {
        whenMap(function () {
          var layer = document.getElementById("wall-overlay");
          if (!layer) return;
          layer.querySelectorAll(".wall-label").forEach(function (el) { el.remove(); });
          (labels || []).forEach(function (area) {
            var el = pinned("wall-label", area.lon, area.lat);
            var box = document.createElement("div");
            box.className = "wall-label-box";
            var name = document.createElement("strong");
            name.className = "wall-label-name";
            name.textContent = area.name;
            var detail = document.createElement("span");
            detail.className = "wall-label-detail";
            detail.textContent = area.text;
            box.appendChild(name);
            box.appendChild(detail);
            el.appendChild(box);
            layer.appendChild(el);
          });
        });
        return noUpdate();
      },

      /* A new report: its dot pulses and its panel row stays highlighted for PULSE_MS. */
      announce: function (items) {
        if (!items || !items.length) return noUpdate();
        whenMap(function () {
          var layer = document.getElementById("wall-overlay");
          if (!layer) return;
          items.forEach(function (item) {
            var el = pinned("wall-pulse", item.lon, item.lat);
            el.setAttribute("data-id", item.id);
            el.appendChild(document.createElement("span"));
            layer.appendChild(el);
            setTimeout(function () { el.remove(); }, PULSE_MS);
          });
        });
        setTimeout(function () {
          items.forEach(function (item) {
            document.querySelectorAll('.entries .entry-new[data-id="' + item.id + '"]').forEach(function (row) {
              row.classList.remove("entry-new");
            });
          });
        }, PULSE_MS);
        return noUpdate();
      },

      /* After a tick appended changed markers, keep one marker per complaint: the one with the
         highest rank (customdata [id, rank]); the hidden "gone" trace only ever removes. */
      prune: function (_version, figure) {
        if (!figure || !figure.data) return noUpdate();
        var best = new Map();
        figure.data.forEach(function (trace) {
          if (trace.type !== MARKER_TRACE || !trace.customdata) return;
          trace.customdata.forEach(function (cd) {
            var seen = best.get(cd[0]);
            if (seen === undefined || cd[1] > seen) best.set(cd[0], cd[1]);
          });
        });
        var changed = false;
        var data = figure.data.map(function (trace) {
          if (trace.type !== MARKER_TRACE || !trace.customdata) return trace;
          var gone = trace.uid === "gone";
          var kept = new Set();
          var keep = [];
          for (var i = trace.customdata.length - 1; i >= 0; i--) {
            var id = trace.customdata[i][0];
            if (!gone && trace.customdata[i][1] >= best.get(id) && !kept.has(id)) {
              kept.add(id);
              keep.push(i);
            }
          }
          if (keep.length === trace.customdata.length) return trace;
          changed = true;
          keep.reverse();
          var pick = function (values) {
            return keep.map(function (k) { return values[k]; });
          };
          return Object.assign({}, trace, {
            lat: pick(trace.lat), lon: pick(trace.lon), customdata: pick(trace.customdata)
          });
        });
        return changed ? Object.assign({}, figure, {data: data}) : noUpdate();
      },

      /* Fit the focused area into the map as large as this screen shows it, and size the markers
         with the screen, so 1080p and 4K walls look alike. Runs when the page arrives: the graph then
         holds a blank figure and the page's map waits in wall-figure, so the map is drawn once,
         already fitted: a 4K wall no longer jumps from the server's guess to its own view. */
      fit: function (config, shown, brought) {
        var first = !(shown && shown.layout && shown.layout.map);
        var figure = first ? brought : shown;
        var box = document.querySelector(".wall-map-area");
        if (!figure) return noUpdate();
        if (!config || !config.bounds || !box || !box.clientWidth || !box.clientHeight) {
          return first ? figure : noUpdate();
        }
        var west = config.bounds[0], south = config.bounds[1], east = config.bounds[2], north = config.bounds[3];
        var merc = function (lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)); };
        var zoomX = Math.log2(box.clientWidth * 360 / (512 * Math.max(east - west, 1e-4)));
        var zoomY = Math.log2(box.clientHeight * 2 * Math.PI / (512 * Math.max(merc(north) - merc(south), 1e-6)));
        var middle = (merc(north) + merc(south)) / 2;
        var map = Object.assign({}, figure.layout.map, {
          center: {lat: (2 * Math.atan(Math.exp(middle)) - Math.PI / 2) * 180 / Math.PI, lon: (west + east) / 2},
          zoom: Math.round((Math.min(zoomX, zoomY) - 0.15) * 100) / 100
        });
        var scale = Math.max(1, Math.min(2.5, box.clientWidth / 1500));
        var data = figure.data.map(function (trace) {
          if (trace.type !== MARKER_TRACE || !trace.marker) return trace;
          var marker = Object.assign({}, trace.marker, {size: Math.round(trace.marker.size * scale)});
          return Object.assign({}, trace, {marker: marker});
        });
        return Object.assign({}, figure, {data: data, layout: Object.assign({}, figure.layout, {map: map})});
      },

      /* The WIB clock; every 15 s it also refreshes "5 minutes ago" in the panels and the card. */
      clock: function (n, config) {
        var lang = (config && config.lang) || "id";
        var locale = lang === "en" ? "en-GB" : "id-ID";
        var now = new Date();
        var time = new Intl.DateTimeFormat(locale, {
          timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
        }).format(now);
        var date = new Intl.DateTimeFormat(locale, {
          timeZone: "Asia/Jakarta", weekday: "long", day: "numeric", month: "long", year: "numeric"
        }).format(now);
        if (config && config.ago && (n || 0) % 15 === 0) {
          document.querySelectorAll(".wall time.ago[data-at]").forEach(function (el) {
            var at = Date.parse(el.getAttribute("data-at"));
            if (!isNaN(at)) el.textContent = agoText(at, now.getTime(), config.ago);
          });
        }
        return [time + " WIB", date];
      },

      closeCard: function (clicks) {
        return clicks ? true : noUpdate();
      }
    }
  });
})();
