/* Small helpers of the registration forms: the live password-strength meter
   (mirrors identity/rules.py password_strength), the county → township → village selects,
   and the forgot-password mode switch. */
(function () {
  "use strict";

  function strength(password) {
    var kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) {
      return re.test(password);
    }).length;
    var longEnough = password.length >= 8;
    if (kinds === 4 && longEnough) { return "strong"; }
    if (kinds >= 3 && longEnough) { return "medium_strong"; }
    if (kinds >= 2) { return "medium"; }
    return "weak";
  }

  document.querySelectorAll("[data-strength-for]").forEach(function (meter) {
    var input = document.getElementById(meter.dataset.strengthFor);
    if (!input) { return; }
    function update() {
      var level = input.value ? strength(input.value) : "";
      meter.dataset.level = level;
      meter.querySelectorAll("[data-level]").forEach(function (cell) {
        cell.toggleAttribute("aria-current", cell.dataset.level === level);
      });
    }
    input.addEventListener("input", update);
    update();
  });

  document.querySelectorAll("form[data-divisions]").forEach(function (form) {
    var url = form.dataset.divisions;
    var county = form.querySelector("select[name$=county]");
    var township = form.querySelector("select[name$=township]");
    var village = form.querySelector("select[name$=village]");
    if (!county || !township || !village) { return; }

    // Arrow keys on a closed select change it at each press: only the answer to the latest
    // choice may fill the next select, whatever order the answers arrive in.
    var latest = new Map();
    function refill(select, query) {
      var first = select.options[0];
      select.replaceChildren(first);
      var turn = (latest.get(select) || 0) + 1;
      latest.set(select, turn);
      if (!query) { return Promise.resolve(); }
      return fetch(url + "?" + query).then(function (r) { return r.json(); }).then(function (body) {
        if (latest.get(select) !== turn) { return; }
        body.options.forEach(function (option) {
          select.append(new Option(option[1], option[0]));
        });
      });
    }
    county.addEventListener("change", function () {
      refill(village, "");
      refill(township, county.value ? "county=" + encodeURIComponent(county.value) : "");
    });
    township.addEventListener("change", function () {
      refill(village, township.value ? "township=" + encodeURIComponent(township.value) : "");
    });
  });

  document.querySelectorAll("form[data-forgot]").forEach(function (form) {
    var names = ["email", "mobile", "household_number", "county", "township", "village", "neighbourhood"];
    function update() {
      var chosen = form.querySelector("input[name=mode]:checked");
      var change = chosen && chosen.value === "change";
      names.forEach(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        var group = field && field.closest("div");
        if (group) { group.hidden = !change; }
      });
    }
    form.querySelectorAll("input[name=mode]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });
})();
