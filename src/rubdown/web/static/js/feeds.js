// The Calendar feed page: copy a feed address. Making one is HTMX's (see feeds_panel.html).
(function () {
  "use strict";

  async function copy(input) {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (ignored) {
      // No clipboard API (or no permission): select the text so Ctrl/Cmd+C copies it.
      input.focus();
      input.select();
      if (!document.execCommand || !document.execCommand("copy")) {
        window.rubdown.flash("Press Ctrl+C (Cmd+C on a Mac) to copy the selected address.", "ok");
        return;
      }
    }
    window.rubdown.flash("Copied the feed address.", "ok");
  }

  // Delegated: the panel with the buttons is swapped in by HTMX after the page loads.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".feed-copy");
    if (!button) return;
    var input = document.getElementById(button.dataset.copy);
    if (input) copy(input);
  });

  // A new panel replaces the button that was pressed: move the keyboard to the new address.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "feed-panel") return;
    var url = document.getElementById("feed-url");
    (url || document.getElementById("feed-panel")).focus();
  });
})();
