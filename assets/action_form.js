/* The action form shared by the operators' bulk bar and the complaint page (layouts/_actions.py,
   callbacks/_actions.py): which groups of fields the chosen action shows, the submit button held back
   until an action is chosen, and whom a forward is handed to (office, person, phone or e-mail), asked only
   when the region chosen is handed over by hand: not a city Pantau serves, not one with a door, and no
   agency chosen instead. Pure UI, no round trip. */
(function () {
  "use strict";

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_actions: {
      /* ``table`` (the <prefix>-action-groups store): {groups: [...], shown: {action: [group, ...]}};
         one "hidden" per group, in the store's order (the outputs' order). */
      toggle: function (action, table) {
        var shown = (table && table.shown && table.shown[action]) || [];
        return ((table && table.groups) || []).map(function (group) { return shown.indexOf(group) < 0; });
      },

      nothingChosen: function (action) {
        return !action;
      },

      notByHand: function (kota, opd, byHand) {
        return !(kota && !opd && (byHand || []).indexOf(String(kota)) >= 0);
      }
    }
  });
})();
