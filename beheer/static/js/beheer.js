/* Beheer: small progressive enhancements. The pages work without this file. */
(function () {
  "use strict";

  // "/" focuses the search box (unless the user is typing somewhere).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var search = document.querySelector("[data-search-shortcut]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // Selects marked data-autosubmit submit their form on change (the button stays for no-JS use).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  // Plain (non-HTMX) forms with data-confirm (on the form or on the button pressed) ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute && button.getAttribute("data-confirm")) ||
      (form && form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  // Character counter for inputs marked data-counter.
  function updateCounter(input) {
    var counter = input.parentNode.querySelector(".counter");
    if (!counter) {
      counter = document.createElement("span");
      counter.className = "counter";
      counter.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", counter);
    }
    var max = parseInt(input.getAttribute("maxlength") || "0", 10);
    counter.textContent = max ? input.value.length + " / " + max : String(input.value.length);
    counter.classList.toggle("counter-full", max > 0 && input.value.length >= max);
  }
  function initCounters(root) {
    (root || document).querySelectorAll("input[data-counter]").forEach(updateCounter);
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("input[data-counter]")) updateCounter(el);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    initCounters(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    initCounters(event.target);
    var banner = document.getElementById("htmx-error");
    if (banner) banner.hidden = true;
  });

  // A request that failed (server error, network) gets a visible banner instead of silence.
  function showError() {
    var banner = document.getElementById("htmx-error");
    if (banner) banner.hidden = false;
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
})();
