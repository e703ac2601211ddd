// A page shown again with errors: move focus to the summary at the top, so a screen reader
// reads what went wrong and a keyboard user can follow a link straight to the field.
(function () {
  "use strict";
  var summary = document.getElementById("foutoverzicht");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
})();
