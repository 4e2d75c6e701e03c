// SalesTrack's own behaviour. No inline scripts anywhere: the CSP allows scripts from this
// origin only, so every page's behaviour lives in static files like this one.
(function () {
  "use strict";

  // Close the account menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.account[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.account[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // On a phone the main navigation is one row that scrolls sideways: bring the page's own
  // link into view, so that "where am I" shows without scrolling the row.
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".nav");
    var current = nav && nav.querySelector("[aria-current=page]");
    if (!current || nav.scrollWidth <= nav.clientWidth) return;
    current.scrollIntoView({ block: "nearest", inline: "center" });
  });

  // A period picker (form.period-picker: a "range" select and its .custom-dates fields)
  // shows From and To only when "Custom…" is chosen. Without JavaScript they stay shown.
  function showCustomDates(picker) {
    var range = picker.querySelector("select[name=range]");
    if (!range) return;
    var custom = range.value === "custom";
    picker.querySelectorAll(".custom-dates").forEach(function (field) {
      field.hidden = !custom;
    });
  }
  function setUpPickers(root) {
    var pickers = root.matches && root.matches("form.period-picker") ? [root] : [];
    root.querySelectorAll("form.period-picker").forEach(function (picker) {
      pickers.push(picker);
    });
    pickers.forEach(showCustomDates);
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name !== "range" || !target.form) return;
    if (!target.form.classList.contains("period-picker")) return;
    showCustomDates(target.form);
    if (target.value === "custom") {
      var start = target.form.querySelector(".custom-dates input");
      if (start) start.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    setUpPickers(document);
  });
  if (window.htmx) htmx.onLoad(setUpPickers);
})();
