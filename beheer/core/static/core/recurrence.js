// The recurrence builder: show only the parts that belong to the chosen frequency.
(function () {
  "use strict";
  function sync(builder) {
    var freq = builder.querySelector("[data-recurrence=freq]");
    var value = freq ? freq.value : "";
    builder.setAttribute("data-freq", value);
    builder.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for").split(" ").indexOf(value) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    var builder = event.target.closest && event.target.closest("[data-recurrence-builder]");
    if (builder) { sync(builder); }
  });
  function all() { document.querySelectorAll("[data-recurrence-builder]").forEach(sync); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
