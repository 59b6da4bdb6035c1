// The clinic's calendar: booking, rebooking by drag or by the "Move to..." control, cancelling,
// the waitlist and the settings forms. Everything goes through the clinic's JSON API, so the
// server checks each booking and each move by the therapist's and the client's rules; a
// refused move changes nothing there, and here the booking snaps back and the reason shows.
(function () {
  "use strict";

  var DRAG_THRESHOLD_PX = 5; // less than this is a click, not a drag
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // The API's answer with its body, refusals included (rubdown.api keeps only the message).
  async function call(method, url, body) {
    var headers = { Accept: "application/json" };
    var token = window.rubdown && window.rubdown.token();
    if (token && method !== "GET") headers[token.name] = token.value;
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response = await fetch(url, init);
    var text = await response.text();
    var parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch (ignored) { parsed = null; }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  function errorOf(answer) {
    var error = answer.body && answer.body.error;
    return error || { message: "the server answered " + answer.status };
  }

  function flash(message, kind) {
    if (window.rubdown) window.rubdown.flash(message, kind);
  }

  // "2027-01-05T16:00:00+00:00" (already in the therapist's zone) -> "Tue 5 Jan 16:00".
  function shown(iso) {
    var day = new Date(iso.slice(0, 10) + "T00:00:00Z");
    return DAYS[day.getUTCDay()] + " " + day.getUTCDate() + " " + MONTHS[day.getUTCMonth()] +
      " " + iso.slice(11, 16);
  }

  function local(iso) { return iso.slice(0, 16); }

  // -- a verdict box: the refusal, its rules and race, the offered slots as buttons ----------

  function showVerdict(box, error, onSlot) {
    box.hidden = false;
    box.querySelector(".verdict-message").textContent = error.message;
    var rules = box.querySelector(".verdict-rules");
    if (rules) rules.textContent = error.rules && error.rules.length ? "Rules: " + error.rules.join(", ") : "";
    var race = box.querySelector(".verdict-race");
    if (race) {
      race.textContent = error.race
        ? "Race: " + error.race.name + " (" + error.race.priority + "), " + error.race.date : "";
    }
    var slots = box.querySelector(".verdict-slots");
    slots.replaceChildren();
    [error.earlier, error.later].forEach(function (slot) {
      if (!slot) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary slot-offer";
      button.dataset.start = local(slot);
      button.textContent = shown(slot);
      button.addEventListener("click", function () { onSlot(local(slot)); });
      slots.appendChild(button);
    });
  }

  // -- booking -----------------------------------------------------------------------------

  function bookingBody(form) {
    var regions = Array.from(form.querySelector("[name=regions]").selectedOptions)
      .map(function (o) { return o.value; });
    return {
      client: form.elements.client.value,
      service_id: form.elements.service_id.value,
      start: form.elements.start.value,
      regions: regions,
    };
  }

  function weekOf(start) { return "/clinic/calendar?week=" + start.slice(0, 10); }

  async function book(form, overrideReason) {
    var body = bookingBody(form);
    if (overrideReason) body.override_reason = overrideReason;
    var verdict = document.getElementById("booking-verdict");
    var answer = await call("POST", "/api/clinic/bookings", body);
    if (answer.ok) {
      verdict.hidden = true;
      var booking = answer.body.booking;
      sessionStorage.setItem("rubdown-clinic-flash", "Booked " + booking.client_name + ", " +
        booking.kind_label + " on " + shown(booking.start) + ".");
      window.location.assign(weekOf(booking.start));
      return;
    }
    var error = errorOf(answer);
    if (answer.status !== 409) { flash(error.message, "error"); return; }
    showVerdict(verdict, error, function (start) {
      form.elements.start.value = start;
      book(form);
    });
    verdict.querySelector(".override-form").hidden = !error.overridable;
  }

  function wireBooking() {
    var form = document.getElementById("booking-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      book(form);
    });
    var override = document.querySelector("#booking-verdict .override-form");
    override.addEventListener("submit", function (event) {
      event.preventDefault();
      book(form, override.elements.override_reason.value);
    });
  }

  // -- moving ----------------------------------------------------------------------------------

  function slotMin() {
    var root = document.querySelector("[data-slot-min]");
    return root ? Number(root.dataset.slotMin) : 30;
  }

  function place(block) {
    block.style.setProperty("--length", block.dataset.length);
    block.style.setProperty("--offset", block.dataset.offset);
    block.style.setProperty("--slot", String(slotMin()));
  }

  function cellFor(start) {
    var minute = Number(start.slice(11, 13)) * 60 + Number(start.slice(14, 16));
    var row = minute - (minute % slotMin());
    var key = start.slice(0, 11) + String(Math.floor(row / 60)).padStart(2, "0") + ":" +
      String(row % 60).padStart(2, "0");
    return document.querySelector('td.slot[data-start="' + key + '"]');
  }

  async function move(block, start) {
    var box = document.getElementById("move-verdict");
    var answer = await call("POST", "/api/clinic/bookings/" + block.dataset.bookingId + "/move",
      { start: start });
    if (!answer.ok) {
      var error = errorOf(answer);
      block.classList.add("refused");
      window.setTimeout(function () { block.classList.remove("refused"); }, 1500);
      if (answer.status === 409 && box) {
        showVerdict(box, error, function (slot) { move(block, slot); });
      } else {
        flash(error.message, "error");
      }
      return false;
    }
    if (box) box.hidden = true;
    var booking = answer.body.booking;
    var begins = local(booking.start);
    block.dataset.start = begins;
    var minute = Number(begins.slice(11, 13)) * 60 + Number(begins.slice(14, 16));
    block.dataset.offset = String(minute % slotMin());
    block.querySelector(".when").textContent = begins.slice(11, 16) + "-" + booking.end.slice(11, 16);
    block.querySelector("[name=start]").value = begins;
    var cell = cellFor(begins);
    if (cell) {
      cell.appendChild(block);
      place(block);
    } else if (block.closest(".week-grid")) {
      block.remove(); // moved to another week: it is there now
    }
    flash("Moved " + booking.client_name + " to " + shown(booking.start) + ".", "ok");
    return true;
  }

  function wireDrag(block) {
    var grid = block.closest(".week-grid");
    if (!grid) return;
    var origin = null;
    block.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || event.target.closest(".move-to")) return;
      origin = { x: event.clientX, y: event.clientY, dragging: false };
      block.setPointerCapture(event.pointerId);
    });
    block.addEventListener("pointermove", function (event) {
      if (!origin) return;
      var dx = event.clientX - origin.x;
      var dy = event.clientY - origin.y;
      if (!origin.dragging && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
      origin.dragging = true;
      block.classList.add("dragging");
      block.style.transform = "translate(" + dx + "px, " + dy + "px)";
      grid.querySelectorAll("td.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
      var under = cellAt(event.clientX, event.clientY);
      if (under) under.classList.add("drop-target");
    });
    function finish(event, cancelled) {
      if (!origin) return;
      var dragged = origin.dragging;
      origin = null;
      grid.querySelectorAll("td.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
      var target = dragged && !cancelled ? cellAt(event.clientX, event.clientY) : null;
      // Back to its own place first: it only moves once the server said yes.
      block.classList.remove("dragging");
      block.style.transform = "";
      if (target && target.dataset.start !== block.dataset.start) move(block, target.dataset.start);
    }
    block.addEventListener("pointerup", function (event) { finish(event, false); });
    block.addEventListener("pointercancel", function (event) { finish(event, true); });
  }

  function cellAt(x, y) {
    var found = document.elementsFromPoint(x, y);
    for (var i = 0; i < found.length; i += 1) {
      if (found[i].matches && found[i].matches("td.slot")) return found[i];
    }
    return null;
  }

  function wireBlocks() {
    document.querySelectorAll(".clinic-booking").forEach(function (block) {
      place(block);
      wireDrag(block);
      var form = block.querySelector(".move-form");
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        var moved = await move(block, form.elements.start.value);
        if (moved) block.querySelector(".move-to").open = false;
      });
    });
  }

  // -- the day: cancelling and the waitlist ----------------------------------------------------

  function wireDay() {
    document.querySelectorAll(".cancel-form").forEach(function (form) {
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        var answer = await call("POST", "/api/clinic/bookings/" + form.dataset.bookingId + "/cancel",
          { reason: form.elements.reason.value });
        if (!answer.ok) { flash(errorOf(answer).message, "error"); return; }
        var offered = answer.body.offered_to.map(function (o) { return o.client_name; });
        var result = document.getElementById("day-result");
        result.hidden = false;
        result.textContent = "Cancelled. " + (offered.length
          ? "The slot is offered to: " + offered.join(", ") + "."
          : "No one on the waitlist can take the slot.");
        var item = form.closest(".day-item");
        item.classList.add("cancelled");
        item.replaceChildren(Object.assign(document.createElement("p"), {
          textContent: "Cancelled: " + form.elements.reason.value,
        }));
      });
    });
    var waitlist = document.getElementById("waitlist-form");
    if (waitlist) {
      waitlist.addEventListener("submit", async function (event) {
        event.preventDefault();
        var answer = await call("POST", "/api/clinic/waitlist", {
          client: waitlist.elements.client.value,
          service_id: waitlist.elements.service_id.value,
          day: waitlist.dataset.day,
          note: waitlist.elements.note.value,
        });
        if (!answer.ok) { flash(errorOf(answer).message, "error"); return; }
        window.location.reload();
      });
    }
  }

  // -- settings ----------------------------------------------------------------------------------

  function number(value) { return value === "" ? null : Number(value); }

  function wireSettings() {
    var service = document.getElementById("service-form");
    if (service) {
      service.addEventListener("submit", async function (event) {
        event.preventDefault();
        var e = service.elements;
        var answer = await call("POST", "/api/clinic/services", {
          kind: e.kind.value, name: e.name.value, length_min: number(e.length_min.value),
          price: number(e.price.value), buffer_min: number(e.buffer_min.value) || 0,
        });
        if (!answer.ok) { flash(errorOf(answer).message, "error"); return; }
        window.location.reload();
      });
    }
    var rules = document.getElementById("rules-form");
    if (rules) {
      rules.addEventListener("submit", async function (event) {
        event.preventDefault();
        var e = rules.elements;
        var daysOff = e.days_off.value.split(",").map(function (d) { return d.trim(); })
          .filter(function (d) { return d; });
        var answer = await call("PUT", "/api/clinic/rules", {
          hours: e.hours.value, days_off: daysOff, timezone: e.timezone.value,
          min_notice_h: number(e.min_notice_h.value) || 0,
          max_hands_on_h_per_day: number(e.max_hands_on_h_per_day.value),
          max_sessions_per_week: number(e.max_sessions_per_week.value),
          buffer_min: number(e.buffer_min.value) || 0,
        });
        if (!answer.ok) { flash(errorOf(answer).message, "error"); return; }
        flash("Saved your hours and rules.", "ok");
      });
    }
  }

  function start() {
    var waiting = sessionStorage.getItem("rubdown-clinic-flash");
    if (waiting) {
      sessionStorage.removeItem("rubdown-clinic-flash");
      flash(waiting, "ok");
    }
    wireBooking();
    wireBlocks();
    wireDay();
    wireSettings();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
