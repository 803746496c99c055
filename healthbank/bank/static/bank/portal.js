/* The portal frame: font size (字體大小) kept in a cookie so every page opens in it, and the
   visit-detail dialog, which htmx fills from the detail page's fragment. */
(function () {
  "use strict";
  var root = document.documentElement;
  document.querySelectorAll(".font-size [data-font]").forEach(function (button) {
    button.setAttribute("aria-pressed", String(button.dataset.font === root.dataset.font));
    button.addEventListener("click", function () {
      root.dataset.font = button.dataset.font;
      document.cookie = "font=" + button.dataset.font + "; path=/; max-age=31536000; samesite=lax";
      document.querySelectorAll(".font-size [data-font]").forEach(function (other) {
        other.setAttribute("aria-pressed", String(other === button));
      });
    });
  });

  var dialog = document.getElementById("detail-dialog");
  if (dialog) {
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === dialog.querySelector("[data-dialog-body]")) {
        dialog.showModal();
        var heading = dialog.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }
    });
    dialog.addEventListener("click", function (event) {
      if (event.target.matches("[data-close]")) { dialog.close(); }
    });
  }
})();
