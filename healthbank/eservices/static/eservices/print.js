// The print buttons of the e-service pages (no inline scripts under the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
