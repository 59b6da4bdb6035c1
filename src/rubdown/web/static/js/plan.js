// The Plan page: the session panel (opened by HTMX, focused here), moving a session through
// the JSON API (the form in the panel, or dragging a session onto another day), and redrawing
// the month afterwards from the server's fragments.
(function () {
  "use strict";

  var api = window.rubdown.api;
  var flash = window.rubdown.flash;
  var lastOpener = null; // the session button that opened the panel, to return focus to

  function enc(id) { return encodeURIComponent(id); }
  function monthShown() {
    var month = document.getElementById("plan-month");
    return month ? month.dataset.month : "";
  }

  function markCurrent(sessionId) {
    document.querySelectorAll("button.session[aria-current]").forEach(function (b) {
      b.removeAttribute("aria-current");
    });
    if (!sessionId) return;
    document.querySelectorAll("button.session").forEach(function (b) {
      if (b.dataset.sessionId === sessionId) b.setAttribute("aria-current", "true");
    });
  }

  function showPanel(sessionId) {
    return htmx.ajax("GET", "/ui/plan/sessions/" + enc(sessionId),
      { target: "#session-detail", swap: "outerHTML" });
  }

  function remember(sessionId, month) {
    var url = "/plan?month=" + month + (sessionId ? "&session=" + enc(sessionId) : "");
    window.history.replaceState(null, "", url);
  }

  // After a move: the month of the new day, and the panel of the moved session.
  async function redraw(sessionId, month) {
    await htmx.ajax("GET", "/ui/plan/month?month=" + month, { target: "#plan-month", swap: "outerHTML" });
    await showPanel(sessionId);
    remember(sessionId, month);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // A refused move: the verdict as the check form shows it, then what the runner may do.
  async function showRefusal(sessionId, date, kind, result) {
    var box = document.getElementById("move-result");
    if (!box || document.getElementById("session-detail").dataset.sessionId !== sessionId) {
      await showPanel(sessionId);
      box = document.getElementById("move-result");
    }
    if (!box) return;
    await htmx.ajax("GET", "/ui/plan/check?date=" + date + "&kind=" + enc(kind),
      { target: "#move-result", swap: "innerHTML" });
    box.prepend(element("p", "message", result.message));
    var actions = element("p", "actions");
    if (result.can_confirm) {
      var anyway = element("button", "danger", "Move it anyway");
      anyway.type = "button";
      anyway.addEventListener("click", function () { move(sessionId, date, kind, true); });
      actions.append(anyway);
    }
    var keep = element("button", "secondary", "Keep it where it is");
    keep.type = "button";
    keep.addEventListener("click", function () { box.replaceChildren(); });
    actions.append(keep);
    box.append(actions);
    actions.querySelector("button").focus();
  }

  async function move(sessionId, date, kind, confirm) {
    try {
      var result = await api("POST", "/api/plan/sessions/" + enc(sessionId) + "/move",
        { date: date, confirm: !!confirm });
      if (result.moved) {
        await redraw(sessionId, date.slice(0, 7));
        flash(result.message, "ok");
      } else {
        await showRefusal(sessionId, date, kind, result);
      }
    } catch (error) {
      flash(error.message, "error");
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "move-session") return;
    event.preventDefault();
    var panel = document.getElementById("session-detail");
    var date = form.elements.date.value;
    if (!date) { form.elements.date.focus(); return; }
    move(form.dataset.sessionId, date, panel.dataset.kind, false);
  });

  document.addEventListener("click", async function (event) {
    var session = event.target.closest("button.session");
    if (session) { lastOpener = session; return; } // HTMX loads the panel
    if (event.target.closest(".close-detail")) {
      var panel = document.getElementById("session-detail");
      panel.hidden = true;
      markCurrent(null);
      remember(null, monthShown());
      if (lastOpener && document.body.contains(lastOpener)) lastOpener.focus();
      return;
    }
    // "Instead: deep tissue on Thu 11 Feb": put that day into the form the verdict answers.
    var use = event.target.closest("button.use-date");
    if (use) {
      var form = use.closest("#session-detail") ? document.getElementById("move-session")
        : document.getElementById("check-form");
      if (form) {
        form.elements.date.value = use.dataset.date;
        form.elements.date.focus();
      }
      return;
    }
    var unpin = event.target.closest("button.unpin");
    if (unpin) {
      var id = document.getElementById("session-detail").dataset.sessionId;
      try {
        await api("POST", unpin.dataset.url);
        await redraw(id, monthShown());
        flash("Unpinned: rubdown places this session again.", "ok");
      } catch (error) {
        flash(error.message, "error");
      }
    }
  });

  // A panel just fetched (data-fresh): show it, mark its session, move focus to its title.
  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.getElementById("session-detail");
    if (!panel || !panel.hasAttribute("data-fresh")) return;
    panel.removeAttribute("data-fresh");
    panel.hidden = false;
    markCurrent(panel.dataset.sessionId);
    remember(panel.dataset.sessionId, monthShown());
    var title = document.getElementById("session-detail-title");
    if (title) title.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  // Drag a professional session onto another day: the same move as the form.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var session = event.target.closest && event.target.closest("button.session[draggable='true']");
    if (!session) return;
    dragged = { id: session.dataset.sessionId, kind: session.dataset.kind };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", session.dataset.sessionId);
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".day.drop-target").forEach(function (d) { d.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var day = dragged && event.target.closest && event.target.closest(".calendar .day[data-date]");
    if (!day) return;
    event.preventDefault();
    document.querySelectorAll(".day.drop-target").forEach(function (d) {
      if (d !== day) d.classList.remove("drop-target");
    });
    day.classList.add("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var day = dragged && event.target.closest && event.target.closest(".calendar .day[data-date]");
    if (!day) return;
    event.preventDefault();
    day.classList.remove("drop-target");
    var moving = dragged;
    dragged = null;
    move(moving.id, day.dataset.date, moving.kind, false);
  });

  // Training in the month: edit a race, edit or remove a workout through the JSON API, then
  // redraw the month (its hard days, and the plan that follows them).
  var KM_PER_MILE = 1.609344;

  async function changeTraining(method, url, body, done) {
    try {
      await api(method, url, body);
      var month = monthShown();
      await htmx.ajax("GET", "/ui/plan/month?month=" + month, { target: "#plan-month", swap: "outerHTML" });
      flash(done, "ok");
    } catch (error) {
      var box = document.getElementById("training-result");
      if (box) box.replaceChildren(element("p", "message error", error.message));
      flash(error.message, "error");
    }
  }

  function raceChanges(form) {
    var body = {
      name: form.elements.name.value,
      date: form.elements.date.value,
      priority: form.elements.priority.value
    };
    var distance = form.elements.distance.value.trim();
    if (distance) {
      // The field is in the runner's units; the API stores kilometres.
      var km = parseFloat(distance) * (form.dataset.units === "mi" ? KM_PER_MILE : 1);
      body.distance_km = Math.round(km * 10000) / 10000;
    }
    if (form.elements.start.value) body.start = form.elements.start.value;
    return body;
  }

  function workoutChanges(form) {
    var body = { date: form.elements.date.value, kind: form.elements.kind.value };
    var minutes = form.elements.duration_min.value.trim();
    if (minutes) body.duration_min = parseFloat(minutes);
    return body;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("edit-race")) {
      event.preventDefault();
      changeTraining("PATCH", "/api/races/" + enc(form.dataset.raceId), raceChanges(form),
        "Race saved; the plan follows it.");
    } else if (form.classList.contains("edit-workout")) {
      event.preventDefault();
      changeTraining("PATCH", "/api/workouts/" + enc(form.dataset.workoutId), workoutChanges(form),
        "Workout saved; the plan follows it.");
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("input.recovery-week");
    if (!box) return;
    var monday = box.dataset.monday;
    if (box.checked) {
      changeTraining("POST", "/api/recovery-weeks", { date: monday },
        "Marked as a recovery week.");
    } else {
      changeTraining("DELETE", "/api/recovery-weeks/" + monday, undefined,
        "No longer a recovery week.");
    }
  });

  document.addEventListener("click", function (event) {
    var remove = event.target.closest("button.remove-workout");
    if (!remove) return;
    var form = remove.closest("form.edit-workout");
    changeTraining("DELETE", "/api/workouts/" + enc(form.dataset.workoutId), undefined,
      "Workout removed; the plan follows.");
  });

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("session-detail");
    if (panel && !panel.hidden) markCurrent(panel.dataset.sessionId);
  });
})();
