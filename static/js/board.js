// Drag a deal card onto another column of the pipeline board: the same POST as the card's
// "Move" button, sent with htmx so that the board re-renders from the server.
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll(".deal[draggable]").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", card.id);
        event.dataTransfer.effectAllowed = "move";
        card.classList.add("is-dragging");
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("is-dragging");
      });
    });
    root.querySelectorAll(".board-column").forEach(function (column) {
      column.addEventListener("dragover", function (event) {
        event.preventDefault();
        column.classList.add("is-target");
      });
      column.addEventListener("dragleave", function () {
        column.classList.remove("is-target");
      });
      column.addEventListener("drop", function (event) {
        event.preventDefault();
        column.classList.remove("is-target");
        var card = document.getElementById(event.dataTransfer.getData("text/plain"));
        if (!card || card.closest(".board-column") === column) return;
        var values = { stage: column.dataset.stage, from: "board" };
        if (column.dataset.lost === "1") {
          var reason = window.prompt(gettext("Why was it lost?"));
          if (!reason) return;
          values.lost_reason = reason;
        }
        var owner = document.getElementById("board").dataset.owner;
        var url = card.dataset.moveUrl + (owner ? "?rep=" + owner : "");
        htmx.ajax("POST", url, { source: card, target: "#board", swap: "outerHTML", values: values });
      });
    });
  }

  htmx.onLoad(function (element) {
    var board = element.id === "board" ? element : element.querySelector("#board");
    if (board) setUp(board);
  });
})();
