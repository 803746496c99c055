/* The download page: "select all" ticks every category as merged data; the seed's message
   (網頁訊息) about the password shows before a download starts. */
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  if (all) {
    all.addEventListener("click", function () {
      document.querySelectorAll(".package-form input[type=checkbox]").forEach(function (box) { box.checked = true; });
      document.querySelectorAll(".package-form input[type=radio][value=merged]").forEach(function (radio) { radio.checked = true; });
    });
  }
  var dialog = document.getElementById("password-dialog");
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-download]");
    if (!link || !dialog || dialog.dataset.shown) { return; }
    event.preventDefault();
    dialog.dataset.shown = "true";
    dialog.showModal();
    dialog.addEventListener("close", function () { window.location.href = link.href; }, { once: true });
  });
})();
