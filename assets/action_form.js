/* The action form shared by the operators' bulk bar and the complaint page (layouts/_actions.py,
   callbacks/_actions.py): which groups of fields the chosen action shows, and the submit button held back
   until an action is chosen. Pure UI, no round trip. */
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
      }
    }
  });
})();
