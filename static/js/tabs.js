// The sections' tab bar (templates/dashboards/_sections.html): the tabs are links that htmx
// loads into #sections, so a click, Enter or a middle-click all work without this file.
// This adds the keyboard of the WAI-ARIA tabs pattern: Left/Right move along the tabs,
// Home/End to the first and last; Enter or Space opens the focused tab. After htmx swaps
// the bar in, it keeps the focus on the tab with the same id; on a narrow screen the bar
// scrolls sideways to show the open tab (the bar only: the page itself never moves).
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[role="tab"]');
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]'));
    var index = tabs.indexOf(tab);
    var next = null;
    if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    else if (event.key === " ") { event.preventDefault(); tab.click(); return; }
    if (next) { event.preventDefault(); next.focus(); }
  });

  htmx.onLoad(function (root) {
    var list = root.querySelector && root.querySelector('[role="tablist"]');
    var open = list && list.querySelector('[role="tab"][aria-selected="true"]');
    if (!open) return;
    var left = open.getBoundingClientRect().left - list.getBoundingClientRect().left;
    if (left < 0 || left + open.offsetWidth > list.clientWidth) {
      list.scrollLeft += left - (list.clientWidth - open.offsetWidth) / 2;
    }
  });
})();
