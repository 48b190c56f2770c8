/* Knowledge pages: print buttons and copying a Markdown snippet. The pages work without this file. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-print], [data-copy]");
    if (!button) return;
    if (button.hasAttribute("data-print")) {
      window.print();
      return;
    }
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).catch(function () { document.execCommand("copy"); });
    } else {
      document.execCommand("copy");
    }
  });
})();
