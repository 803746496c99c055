/* Every page: a table wider than its box scrolls sideways inside it (.table-scroll, see
   site.css). While it does, the box is a region named by the table's caption (or, without
   one, by the heading before it) and takes keyboard focus, so that it can be scrolled with
   the arrow keys and a screen reader says what it holds (WCAG 1.4.10 and 2.1.1); a box
   that fits adds no tab stop. */
(function () {
  "use strict";
  function heading(box) {
    // The nearest heading before the box in the page's order (h1 at the latest).
    var all = Array.prototype.slice.call(document.querySelectorAll("h1, h2, h3, h4"));
    var before = all.filter(function (h) {
      return h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    return before.length ? before[before.length - 1] : null;
  }
  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    var caption = box.querySelector("caption") || heading(box);
    if (scrolls) {
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      if (caption) { box.setAttribute("aria-label", caption.textContent.trim().replace(/\s+/g, " ")); }
    } else {
      box.removeAttribute("role");
      box.removeAttribute("tabindex");
      box.removeAttribute("aria-label");
    }
  }
  var resized = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target.closest(".table-scroll")); });
  }) : null;
  function prepare(root) {
    var boxes = Array.prototype.slice.call(root.querySelectorAll(".table-scroll"));
    if (root.matches && root.matches(".table-scroll")) { boxes.push(root); }
    boxes.forEach(function (box) {
      update(box);
      if (resized) {
        resized.observe(box);  // the window changes width
        if (box.firstElementChild) { resized.observe(box.firstElementChild); }  // the font size
      }
    });
  }
  prepare(document);
  // Content htmx brings in later (the visit dialog) gets the same treatment.
  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt); });
})();
