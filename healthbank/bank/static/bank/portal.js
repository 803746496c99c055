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

  // A table too wide for the screen scrolls sideways in its own box; the box that scrolls
  // takes keyboard focus, so the arrow keys can scroll it too (WCAG 2.1.1). Only while it
  // scrolls: a box that fits is no extra stop for the Tab key.
  function focusScrollingBoxes() {
    document.querySelectorAll(".table-scroll, table.data").forEach(function (box) {
      var overflow = getComputedStyle(box).overflowX;
      var scrolls = (overflow === "auto" || overflow === "scroll") &&
        box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "";
      } else if (!scrolls && "scrollFocus" in box.dataset) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  focusScrollingBoxes();
  window.addEventListener("resize", focusScrollingBoxes);
  document.body.addEventListener("htmx:afterSettle", focusScrollingBoxes);
  document.addEventListener("toggle", focusScrollingBoxes, true); // a <details> opened
})();
