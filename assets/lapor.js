/* Report form (/lapor): each refused field marked where it is, and the receipt's copy and share buttons
   (see callbacks/lapor.py and layouts/lapor.py). Pure browser work: the reporter's link never goes back to
   the server. */
(function () {
  "use strict";

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function say(text) {
    window.dash_clientside.set_props("lapor-copy-status", {children: text});
  }

  /* Older phones and pages not served over HTTPS have no async clipboard: copy from a hidden text box. */
  function copyBySelection(text) {
    var box = document.createElement("textarea");
    box.value = text;
    box.setAttribute("readonly", "");
    box.style.position = "fixed";
    box.style.opacity = "0";
    document.body.appendChild(box);
    box.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (e) {
      done = false;
    }
    document.body.removeChild(box);
    return done;
  }

  /* In the form's order, as callbacks/lapor.py ERROR_FIELDS; each with the controls it marks. */
  var FIELDS = [
    ["category", "#lapor-category input"],
    ["answers", "#lapor-questions input"],
    ["location", "#lapor-lat, #lapor-lon"],
    ["address", "#lapor-address"],
    ["description", "#lapor-description"],
    ["photos", "#lapor-upload input[type=file]"],
    ["name", "#lapor-name"],
    ["contact", "#lapor-contact"]
  ];

  function same(value) {
    return JSON.stringify(value === undefined || value === null ? "" : value);
  }

  /* Mark a field's controls (or unmark them), pointing them at the message beside them. */
  function mark(field, selector, invalid) {
    var errorId = "lapor-" + field + "-error";
    document.querySelectorAll(selector).forEach(function (el) {
      var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== errorId;
      });
      if (invalid) {
        el.setAttribute("aria-invalid", "true");
        described.push(errorId);
      } else {
        el.removeAttribute("aria-invalid");
      }
      if (described.length) el.setAttribute("aria-describedby", described.join(" "));
      else el.removeAttribute("aria-describedby");
    });
  }

  /* The problems the server found on the last "Kirim", each shown while its field still holds what was sent. */
  var asked = {errors: {}, values: {}};

  function fieldErrors(errors, category, answers, lat, lon, address, description, photos, name, contact) {
    var now = {
      category: same(category),
      answers: same((answers || []).filter(function (v) {
        return v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0);
      })),
      location: same([lat || "", lon || ""]),
      address: same(address),
      description: same(description),
      photos: same((photos || []).length),
      name: same(name),
      contact: same(contact)
    };
    var triggered = (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
    var sent = triggered.indexOf("lapor-field-errors.data") >= 0;
    if (sent) asked = {errors: errors || {}, values: now};
    var first = null;
    var shown = FIELDS.map(function (pair) {
      var field = pair[0];
      var message = asked.errors[field] && asked.values[field] === now[field] ? asked.errors[field] : "";
      mark(field, pair[1], !!message);
      if (message && !first) first = pair[1];
      return message;
    });
    if (sent && first) {
      /* After Dash has drawn the messages: the first refused field takes the focus, in view. */
      setTimeout(function () {
        var target = document.querySelector(first);
        if (!target) return;
        target.scrollIntoView({block: "center"});
        target.focus({preventScroll: true});
      }, 0);
    }
    return shown;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pantau_lapor: {
      fieldErrors: fieldErrors,

      copyLink: function (clicks, link) {
        if (!clicks || !link) return noUpdate();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(link.url).then(
            function () { say(link.copied); },
            function () { say(copyBySelection(link.url) ? link.copied : link.failed); }
          );
          return noUpdate();
        }
        return copyBySelection(link.url) ? link.copied : link.failed;
      },

      shareLink: function (clicks, link) {
        if (!clicks || !link || !navigator.share) return noUpdate();
        navigator.share({title: link.title, url: link.url}).catch(function () { /* closed by the user */ });
        return noUpdate();
      },

      canShare: function (link) {
        return !(link && typeof navigator.share === "function");
      }
    }
  });
})();
