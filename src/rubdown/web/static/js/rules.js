// The Rules page's search, in the browser: the same filter as ?q= on the server
// (web/presenters/rule_book.py), over the text the server put in each rule's data-search: every word
// of the query must appear in it, compared in lower case with hyphens as spaces.
(function () {
  "use strict";

  function normalise(text) {
    return text.replace(/-/g, " ").toLowerCase().split(/\s+/).filter(Boolean);
  }

  function start() {
    var input = document.getElementById("rule-search");
    if (!input) return;
    var form = input.form;
    var rules = Array.prototype.slice.call(document.querySelectorAll("article.rule"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.rule-group"));
    var navItems = Array.prototype.slice.call(document.querySelectorAll(".rule-groups-nav li[data-group]"));
    var count = document.getElementById("rule-count");
    var none = document.getElementById("rule-none");
    var noneQuery = document.getElementById("rule-none-query");
    var total = rules.length;

    function apply() {
      var words = normalise(input.value);
      var shownByGroup = {};
      var shown = 0;
      rules.forEach(function (rule) {
        var text = rule.getAttribute("data-search") || "";
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        rule.hidden = !match;
        if (match) {
          shown += 1;
          var group = rule.closest("section.rule-group").getAttribute("data-group");
          shownByGroup[group] = (shownByGroup[group] || 0) + 1;
        }
      });
      groups.forEach(function (section) {
        section.hidden = !shownByGroup[section.getAttribute("data-group")];
      });
      navItems.forEach(function (item) {
        var n = shownByGroup[item.getAttribute("data-group")] || 0;
        item.hidden = n === 0;
        var badge = item.querySelector(".count");
        if (badge) badge.textContent = String(n);
      });
      count.textContent = words.length ? shown + " of " + total + " rules match" : total + " rules";
      none.hidden = shown > 0;
      noneQuery.textContent = input.value.trim();
      // The address keeps the search, so a reload or a shared link shows the same rules.
      var url = new URL(window.location.href);
      if (words.length) url.searchParams.set("q", input.value.trim());
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && input.value) {
        input.value = "";
        apply();
      }
    });
    // With the script running, searching needs no round trip.
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        apply();
      });
    }
    // A link to a rule the search hides (a protocol's move, a policy's rule) clears the search.
    window.addEventListener("hashchange", function () {
      var target = document.getElementById(window.location.hash.slice(1));
      if (target && target.closest("[hidden]") && input.value) {
        input.value = "";
        apply();
        target.scrollIntoView();
      }
    });
    var clear = document.getElementById("rule-search-clear");
    if (clear) {
      clear.addEventListener("click", function (event) {
        event.preventDefault();
        input.value = "";
        apply();
        clear.hidden = true;
        input.focus();
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
