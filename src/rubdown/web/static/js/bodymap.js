// The Check-in page's body map. Each region shape opens a small editor (soreness 0-10, a pain
// flag, warning signs, clear). The values live in the form's own fields (sore:PART:SIDE,
// pain:PART:SIDE, a checkbox sign:PART:SIDE:SIGN per warning sign, the "All regions as a list"
// table), so the map only mirrors them: what is saved is the form,
// posted by HTMX to /ui/checkin/save, and editing the list repaints the map too.
(function () {
  "use strict";

  var map = document.getElementById("body-map");
  var form = document.getElementById("checkin-form");
  var editor = document.getElementById("region-editor");
  if (!map || !form || !editor) return;

  var title = document.getElementById("region-editor-title");
  var range = document.getElementById("region-soreness");
  var shown = document.getElementById("region-soreness-value");
  var pain = document.getElementById("region-pain");
  var PAIN_LABELS = { dull: "dull ache", sharp: "sharp pain", numbness: "numbness", tingling: "tingling" };
  var RED_FLAGS = { sharp: true, numbness: true, tingling: true }; // rule X1
  // Warning signs in the order the server lists them; the first three may be a clot (R5),
  // the others a fresh injury (R3).
  var SIGNS = ["swelling", "warmth", "redness", "strain", "bruise", "knock"];
  var CLOT_SIGNS = { swelling: true, warmth: true, redness: true };
  var SIGN_LABELS = {
    swelling: "swelling", warmth: "warmth", redness: "redness",
    strain: "a fresh strain", bruise: "a bruise", knock: "a knock"
  };
  var clotGroup = document.getElementById("region-clot-signs");

  var current = null; // the shape being edited
  var touched = false; // a region without soreness gets one only once the slider is moved

  function keyOf(shape) {
    return shape.getAttribute("data-region") + ":" + shape.getAttribute("data-side");
  }

  function fields(key) {
    var signs = {};
    SIGNS.forEach(function (sign) {
      var box = form.elements["sign:" + key + ":" + sign];
      if (box) signs[sign] = box; // a midline region has no clot-sign boxes
    });
    return { sore: form.elements["sore:" + key], pain: form.elements["pain:" + key], signs: signs };
  }

  function read(key) {
    var f = fields(key);
    var value = f.sore.value.trim();
    var signs = SIGNS.filter(function (sign) { return f.signs[sign] && f.signs[sign].checked; });
    return { soreness: value === "" ? null : parseInt(value, 10), pain: f.pain.value, signs: signs };
  }

  function shapeFor(key) {
    var parts = key.split(":");
    return map.querySelector('[data-region="' + parts[0] + '"][data-side="' + parts[1] + '"]');
  }

  // The same words as the server's first rendering (fragments/checkin_bodymap.html).
  function describe(label, level) {
    var said = [];
    if (level.soreness !== null && !isNaN(level.soreness)) said.push("soreness " + level.soreness);
    if (level.pain) said.push(PAIN_LABELS[level.pain] || level.pain);
    level.signs.forEach(function (sign) { said.push(SIGN_LABELS[sign] || sign); });
    return label + ", " + (said.length ? said.join(", ") : "not recorded");
  }

  function paint(shape) {
    var level = read(keyOf(shape));
    var keep = Array.prototype.filter.call(shape.classList, function (name) {
      return !/^(lvl-\d+|pain-\w+|flagged|clot|injured)$/.test(name);
    });
    if (level.soreness !== null && level.soreness >= 0 && level.soreness <= 10) keep.push("lvl-" + level.soreness);
    if (level.pain) keep.push("pain-" + level.pain);
    if (RED_FLAGS[level.pain]) keep.push("flagged");
    if (level.signs.some(function (sign) { return CLOT_SIGNS[sign]; })) keep.push("clot");
    if (level.signs.some(function (sign) { return !CLOT_SIGNS[sign]; })) keep.push("injured");
    shape.setAttribute("data-signs", level.signs.join(" "));
    shape.setAttribute("class", keep.join(" "));
    shape.setAttribute("data-soreness", level.soreness === null ? "" : String(level.soreness));
    shape.setAttribute("data-pain", level.pain);
    var text = describe(shape.getAttribute("data-label"), level);
    shape.setAttribute("aria-label", text);
    var tip = shape.querySelector("title");
    if (tip) tip.textContent = text;
  }

  function showValue() {
    shown.textContent = touched ? range.value : "not recorded";
  }

  function open(shape) {
    if (current) current.classList.remove("selected");
    current = shape;
    shape.classList.add("selected");
    var level = read(keyOf(shape));
    var label = shape.getAttribute("data-label");
    title.textContent = label.charAt(0).toUpperCase() + label.slice(1);
    touched = level.soreness !== null;
    range.value = touched ? String(level.soreness) : "0";
    pain.value = level.pain;
    var boxes = fields(keyOf(shape)).signs;
    SIGNS.forEach(function (sign) {
      var box = document.getElementById("region-sign-" + sign);
      if (box) box.checked = level.signs.indexOf(sign) >= 0;
    });
    // Clot signs belong to a leg (R5): the midline regions do not offer them.
    if (clotGroup) clotGroup.hidden = !boxes.swelling;
    showValue();
    editor.hidden = false;
    range.focus();
  }

  function close() {
    editor.hidden = true;
    if (!current) return;
    current.classList.remove("selected");
    current.focus();
    current = null;
  }

  function editorSigns() {
    return SIGNS.filter(function (sign) {
      var box = document.getElementById("region-sign-" + sign);
      return box && box.checked;
    });
  }

  function write(soreness, painValue, signs) {
    var f = fields(keyOf(current));
    f.sore.value = soreness;
    f.pain.value = painValue;
    SIGNS.forEach(function (sign) {
      if (f.signs[sign]) f.signs[sign].checked = signs.indexOf(sign) >= 0;
    });
    paint(current);
    close();
  }

  map.addEventListener("click", function (event) {
    var shape = event.target.closest("[data-region]");
    if (shape) open(shape);
  });
  map.addEventListener("keydown", function (event) {
    var shape = event.target.closest("[data-region]");
    if (!shape || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault(); // Space would scroll the page, Enter would submit the form
    open(shape);
  });

  range.addEventListener("input", function () {
    touched = true;
    showValue();
  });
  document.getElementById("region-apply").addEventListener("click", function () {
    if (current) write(touched ? range.value : "", pain.value, editorSigns());
  });
  document.getElementById("region-clear").addEventListener("click", function () {
    if (current) write("", "", []);
  });
  document.getElementById("region-cancel").addEventListener("click", close);
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Enter" && event.target.tagName !== "BUTTON") {
      event.preventDefault(); // apply the region, do not save the whole form yet
      if (current) write(touched ? range.value : "", pain.value, editorSigns());
    }
  });

  // Typing in the list repaints the shape it belongs to.
  form.addEventListener("input", function (event) {
    var key = event.target.getAttribute && event.target.getAttribute("data-key");
    var shape = key && shapeFor(key);
    if (shape) paint(shape);
  });
  form.addEventListener("change", function (event) {
    var key = event.target.getAttribute && event.target.getAttribute("data-key");
    var shape = key && shapeFor(key);
    if (shape) paint(shape);
  });

  // The heat map's newest days are on the right: show them first on a narrow screen.
  function showLatestDays() {
    var wrap = document.querySelector("#heatmap .table-wrap");
    if (wrap) wrap.scrollLeft = wrap.scrollWidth;
  }
  showLatestDays();
  document.body.addEventListener("htmx:oobAfterSwap", showLatestDays);

  // After a save, bring the confirmation into view; it says whether work must stop (X1).
  form.addEventListener("htmx:afterRequest", function (event) {
    var result = document.getElementById("checkin-result");
    if (!event.detail.successful || !result || result.hidden) return;
    showLatestDays();
    result.scrollIntoView({ block: "nearest" });
    result.focus({ preventScroll: true });
  });

  // An episode opened: clear the form for the next one. (Here and not in an hx-on attribute:
  // the Content-Security-Policy allows no script written into the page.)
  var injuryForm = document.getElementById("injury-open");
  if (injuryForm) {
    injuryForm.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) injuryForm.reset();
    });
  }
})();
