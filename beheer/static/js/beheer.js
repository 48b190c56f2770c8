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

  // A status that asks for the supplier (waiting for supplier) shows the supplier select; without
  // JavaScript the select is always shown.
  function syncSupplier(select) {
    var form = select && select.form;
    var field = form && form.querySelector("[data-supplier-field]");
    if (!field) return;
    var option = select.options[select.selectedIndex];
    var asks = !!(option && option.hasAttribute("data-asks-supplier"));
    field.hidden = !asks;
    var input = field.querySelector("select");
    if (input) input.required = asks;
  }
  function initSupplierFields(root) {
    (root || document).querySelectorAll("form[data-status-form] select[name$='-status']").forEach(syncSupplier);
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("form[data-status-form] select[name$='-status']")) syncSupplier(el);
  });

  // The melding page: an action's answer replaces the page's main part, and panels load into it
  // later (suggestions). Keep the page where it was (the browser would otherwise anchor the scroll
  // to content that moved and jump, to the bottom even), then bring the result of an action into
  // view and give it the focus, so it is read out.
  var keptScroll = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    keptScroll = target && target.closest && target.closest("#melding-main") ? window.scrollY : null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (keptScroll !== null) {
      window.scrollTo(window.scrollX, keptScroll);
      keptScroll = null;
    }
    if (!event.target || event.target.id !== "melding-main") return;
    var result = event.target.querySelector("[data-action-result]");
    if (result) {
      result.scrollIntoView({block: "nearest"});
      result.focus({preventScroll: true});
    }
  });

  // An action's form, loaded when its disclosure was opened: the first field gets the focus when
  // the operator opened it from the keyboard (the summary still has the focus).
  function focusLoadedForm(body) {
    var details = body.closest("details");
    var summary = details && details.querySelector("summary");
    if (!summary || document.activeElement !== summary) return;
    var field = body.querySelector("input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    initCounters(document);
    initSupplierFields(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    initCounters(event.target);
    initSupplierFields(event.target);
    var target = event.detail && event.detail.target;
    if (target && target.classList && target.classList.contains("action-body")) focusLoadedForm(target);
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

  // The top bar's menus (<details data-nav-menu>) close on a click elsewhere, on Escape, and when
  // another one opens; without JavaScript they open and close with their summary.
  function closeMenus(except) {
    document.querySelectorAll("details[data-nav-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    var menu = event.target && event.target.closest ? event.target.closest("details[data-nav-menu]") : null;
    closeMenus(menu);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details[data-nav-menu][open]");
    if (!open) return;
    closeMenus(null);
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });
})();
