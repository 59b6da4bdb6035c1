// The Settings page: adding and removing rows of the therapist's hours. Saving is HTMX's
// (the forms post to /ui/settings/...); this only edits the rows before they are sent.
(function () {
  "use strict";

  var rows = document.getElementById("availability-rows");
  var template = document.getElementById("availability-row-template");
  var add = document.getElementById("availability-add");
  var empty = document.getElementById("availability-empty");
  if (!rows || !template || !add) return;

  function showEmpty() {
    if (empty) empty.hidden = rows.querySelector(".availability-row") !== null;
  }

  add.addEventListener("click", function () {
    var row = template.content.firstElementChild.cloneNode(true);
    var last = rows.querySelector(".availability-row:last-of-type select[name=weekday]");
    if (last) {
      // The next day after the last row's: a week is usually entered in order.
      var select = row.querySelector("select[name=weekday]");
      select.selectedIndex = (last.selectedIndex + 1) % select.options.length;
    }
    rows.appendChild(row);
    showEmpty();
    row.querySelector("select").focus();
  });

  rows.addEventListener("click", function (event) {
    var button = event.target.closest(".availability-remove");
    if (!button) return;
    var row = button.closest(".availability-row");
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    showEmpty();
    // Keep the keyboard where it was: on a neighbouring row, else on "Add hours".
    (next ? next.querySelector(".availability-remove") : add).focus();
  });
})();
