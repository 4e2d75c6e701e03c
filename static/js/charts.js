// Draw every chart whose figure the server put in a <script type="application/json"
// id="data-ID"> node (Django's json_script), into the element #ID — on page load and
// whenever htmx swaps in new content (the period picker). No inline script: the CSP allows
// scripts from this origin only.
//
// The page's language (<html lang>) is Plotly's locale: the month and day names of date
// axes. The figures bring their own numbers' separators (layout.separators) and words
// (dashboards/charts.py; docs/i18n.md#numbers-and-dates).
(function () {
  "use strict";
  var LOCALES = {
    es: {
      months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre"],
      shortMonths: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
      days: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
      shortDays: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
      date: "%d/%m/%Y"
    },
    zh: {
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
        "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      date: "%Y-%m-%d"
    }
  };
  var language = (document.documentElement.lang || "en").toLowerCase();
  var locale = language.split("-")[0];
  var config = { displayModeBar: false, responsive: true };
  if (LOCALES[locale]) {
    config.locale = locale;
    config.locales = {};
    config.locales[locale] = { format: LOCALES[locale] };
  }

  function draw(root) {
    root.querySelectorAll('script[type="application/json"][id^="data-chart-"]').forEach(function (node) {
      var target = document.getElementById(node.id.slice("data-".length));
      if (!target || typeof Plotly === "undefined") return;
      var figure = JSON.parse(node.textContent);
      Plotly.react(target, figure.data, figure.layout, config);
    });
  }

  htmx.onLoad(draw);
})();
