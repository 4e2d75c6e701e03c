// Draw every chart whose figure the server put in a <script type="application/json"
// id="data-ID"> node (Django's json_script), into the element #ID — on page load and
// whenever htmx swaps in new content (the period picker). No inline script: the CSP allows
// scripts from this origin only.
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true };

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
