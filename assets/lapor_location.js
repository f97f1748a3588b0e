/* /lapor's location (callbacks/lapor.py, layouts/lapor.py): the pin set by a tap on the map or by the
   device, the pin and the map following the coordinates, and the address asked for while the pin is where
   the kelurahan list put it. Pure UI: no round trip. */
(function () {
  "use strict";

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function setPin(lat, lon) {
    window.dash_clientside.set_props("lapor-lat", {value: lat.toFixed(6)});
    window.dash_clientside.set_props("lapor-lon", {value: lon.toFixed(6)});
  }

  /* Plotly reports clicks only on drawn points, so listen to MapLibre's own click event. */
  function attach() {
    var host = document.getElementById("lapor-map");
    var gd = host && host.querySelector(".js-plotly-plot");
    var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    var map = sub && sub.map;
    if (!map || map._pantauPin) return;
    map._pantauPin = true;
    map.getCanvas().style.cursor = "crosshair";
    map.on("click", function (e) {
      window._pantauPinFromClick = true;
      setPin(e.lngLat.lat, e.lngLat.lng);
    });
    host.setAttribute("data-pin-ready", "1");
  }

  function number(v) {
    var x = parseFloat(String(v === null || v === undefined ? "" : v).replace(",", "."));
    return Number.isFinite(x) ? x : null;
  }

  function same(a, b) {
    return String(a === null || a === undefined ? "" : a).trim() === b;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_location: {
      /* Clicking anywhere on the map sets the pin. Dash may re-mount the graph, so a light timer
         (re)attaches the listener to whichever map is current. */
      listenForTaps: function (_lang) {
        if (window._pantauPinTimer) return true;
        window._pantauPinTimer = setInterval(attach, 400);
        return true;
      },

      /* The pin follows the coordinates, whoever set them (a tap, the device, the kelurahan list, typing);
         the map recentres unless the pin came from a tap. */
      followPin: function (lat, lon) {
        var gd = document.querySelector("#lapor-map .js-plotly-plot");
        if (!gd || !window.Plotly || !gd._fullLayout || !gd._fullLayout.map) return noUpdate();
        var la = number(lat), lo = number(lon);
        var ok = la !== null && lo !== null && Math.abs(la) <= 90 && Math.abs(lo) <= 180;
        window.Plotly.restyle(gd, {lat: [ok ? [la] : []], lon: [ok ? [lo] : []]}, [0]);
        if (ok && !window._pantauPinFromClick) {
          window.Plotly.relayout(gd, {"map.center": {lat: la, lon: lo}, "map.zoom": Math.max(gd._fullLayout.map.zoom, 15)});
        }
        window._pantauPinFromClick = false;
        return ok ? [la, lo] : null;
      },

      /* "Use my location" asks the browser only when tapped (never on page load). */
      locate: function (n, texts) {
        if (!n) return noUpdate();
        if (!navigator.geolocation) return texts.unavailable;
        navigator.geolocation.getCurrentPosition(
          function (p) {
            setPin(p.coords.latitude, p.coords.longitude);
            window.dash_clientside.set_props("lapor-geo-message", {children: ""});
          },
          function () {
            window.dash_clientside.set_props("lapor-geo-message", {children: texts.unavailable});
          },
          {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
        );
        return texts.locating;
      },

      /* The address is required while the pin is where the list put it (``source``, the lapor-pin-source
         store): the label, the message at the field and the field's "required" say so. */
      addressRequired: function (lat, lon, source, address, texts) {
        var fromList = !!source && same(lat, source.lat) && same(lon, source.lon);
        var empty = !String(address || "").trim();
        return [
          fromList ? texts.address_required : texts.address_optional,
          fromList && empty ? texts.address_needed : "",
          fromList
        ];
      }
    }
  });
})();
