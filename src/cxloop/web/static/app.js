// cxloop page behaviour. Loaded as a file (no inline scripts), so the CSP can forbid them.
// After HTMX appends older timeline items, move keyboard focus to the first new one, so a
// keyboard or screen-reader user continues where the "Load older interactions" link was.
document.addEventListener("htmx:afterSettle", function () {
  var first = document.querySelector("[data-focus-after-load]");
  if (first) {
    first.removeAttribute("data-focus-after-load");
    first.focus();
  }
});
