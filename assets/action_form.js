/* The action form (layouts/_actions.py, callbacks/_actions.py): whom a forward is handed to (office, person,
   phone or e-mail) is asked only when the region chosen is handed over by hand: not a city Pantau serves,
   not one with a door, and no agency chosen instead. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pantau_actions: {
    notByHand: function (kota, opd, byHand) {
      return !(kota && !opd && (byHand || []).indexOf(String(kota)) >= 0);
    },
  },
});
