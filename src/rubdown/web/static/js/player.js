// The routine player of the Today page: a countdown per step, pause, skip, "this hurts", and
// a log of what was done sent to the API when the routine ends or the runner finishes early.
//
// The timer follows the terminal timer (cli/timer.py, GuidedTimer): time passes in steps only
// while running; a step whose time is up hands the rest of the elapsed time to the next one,
// so a late tick (a background tab, a fast test clock) never loses or invents time. A step
// ends "done" when its time runs out and "skipped" when the runner leaves it earlier; the step
// under way when the runner finishes counts as neither.
//
// window.RUBDOWN_PLAYER_SPEED (default 1) makes routine time run that many times faster, so
// browser tests need not wait minutes; it is read on every tick.
(function () {
  "use strict";

  var TICK_MS = 100;
  if (window.RUBDOWN_PLAYER_SPEED === undefined) window.RUBDOWN_PLAYER_SPEED = 1;

  function speed() {
    var value = Number(window.RUBDOWN_PLAYER_SPEED);
    return isFinite(value) && value > 0 ? value : 1;
  }

  // Routine seconds on a monotonic scale: real time since the last read, times the speed.
  function RoutineClock() {
    this.real = performance.now();
    this.seconds = 0;
  }
  RoutineClock.prototype.read = function () {
    var now = performance.now();
    this.seconds += ((now - this.real) / 1000) * speed();
    this.real = now;
    return this.seconds;
  };

  function Timer(steps, clock) {
    this.steps = steps;
    this.clock = clock;
    this.last = clock.read();
    this.index = 0;
    this.stepElapsed = 0;
    this.activeS = 0;
    this.paused = false;
    this.quit = false;
    this.outcomes = [];
    this.settle();
  }
  Timer.prototype.finished = function () { return this.index >= this.steps.length; };
  Timer.prototype.over = function () { return this.finished() || this.quit; };
  Timer.prototype.current = function () { return this.over() ? null : this.steps[this.index]; };
  Timer.prototype.following = function () {
    var next = this.index + 1;
    return !this.over() && next < this.steps.length ? this.steps[next] : null;
  };
  Timer.prototype.remaining = function () {
    var step = this.current();
    return step ? Math.max(0, step.seconds - this.stepElapsed) : 0;
  };
  Timer.prototype.total = function () {
    return this.steps.reduce(function (sum, step) { return sum + step.seconds; }, 0);
  };
  Timer.prototype.position = function () {
    var behind = 0;
    for (var i = 0; i < Math.min(this.index, this.steps.length); i++) behind += this.steps[i].seconds;
    return behind + (this.over() ? 0 : this.stepElapsed);
  };
  Timer.prototype.update = function () {
    var now = this.clock.read();
    var passed = Math.max(0, now - this.last);
    this.last = now;
    if (this.paused || this.over()) return;
    while (passed > 0 && !this.over()) {
      var used = Math.min(this.steps[this.index].seconds - this.stepElapsed, passed);
      this.stepElapsed += used;
      this.activeS += used;
      passed -= used;
      this.settle();
    }
  };
  Timer.prototype.togglePause = function () {
    this.update();
    if (!this.over()) this.paused = !this.paused;
  };
  Timer.prototype.skip = function () {
    this.update();
    if (this.over()) return;
    this.leave("skipped");
    this.settle();
  };
  Timer.prototype.stop = function () {
    if (this.over()) return;
    this.update();
    this.quit = true;
  };
  Timer.prototype.leave = function (outcome) {
    this.outcomes.push(outcome);
    this.index += 1;
    this.stepElapsed = 0;
  };
  Timer.prototype.settle = function () {
    // A step whose time is up is done (a zero-second step is done at once).
    while (!this.over() && this.stepElapsed >= this.steps[this.index].seconds) this.leave("done");
  };
  Timer.prototype.summary = function () {
    var count = function (what) {
      return this.outcomes.filter(function (o) { return o === what; }).length;
    }.bind(this);
    return {
      steps: this.steps.length,
      steps_done: count("done"),
      steps_skipped: count("skipped"),
      seconds: Math.round(this.activeS * 10) / 10,
      completed: this.finished() && !this.quit,
    };
  };

  // "75" -> "1:15", rounding up as the terminal does: 0:01 shows until the very end.
  function clockText(seconds) {
    var whole = Math.max(0, Math.ceil(seconds - 1e-9));
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function $(id) { return document.getElementById(id); }

  function show(element, visible) { element.hidden = !visible; }

  var data = null;
  var el = {};
  var state = {
    mode: "idle", // idle | running | hurt | logging | done
    routine: null,
    timer: null,
    startedAt: null,
    opener: null,
    ticker: null,
    hurtStep: null, // the step "this hurts" stopped
    hurtSide: "both",
    wasPaused: false,
    flagged: null, // the pain-flag answer, once one was logged
    redFlag: false,
    logged: false,
    wakeLock: null,
    title: document.title,
  };

  function init() {
    var source = $("today-player-data");
    if (!source || !$("player")) return;
    data = JSON.parse(source.textContent);
    [
      "player", "player-title", "player-step", "player-progress", "player-countdown",
      "player-paused", "player-move", "player-where", "player-cue", "player-next", "player-run",
      "player-pause", "player-skip", "player-hurts", "player-hurt", "player-hurt-sides",
      "player-hurt-fixed", "player-hurt-pick", "player-hurt-region", "player-hurt-hint",
      "player-hurt-cancel", "player-redflag", "player-redflag-advice", "player-redflag-rule",
      "player-done", "player-error", "player-retry", "player-close",
    ].forEach(function (id) { el[id.replace("player-", "").replace("player", "root")] = $(id); });
    el.bar = el.root.querySelector(".player-bar");

    document.querySelectorAll('[data-action="start-routine"]').forEach(function (button) {
      button.addEventListener("click", function () {
        var card = button.closest(".routine-card");
        if (card) start(card.dataset.routine, button);
      });
    });
    el.pause.addEventListener("click", togglePause);
    el.skip.addEventListener("click", skip);
    el.hurts.addEventListener("click", hurts);
    el["hurt-cancel"].addEventListener("click", cancelHurt);
    el.close.addEventListener("click", closeOrFinish);
    el.retry.addEventListener("click", sendLog);
    el["hurt-sides"].querySelectorAll("[data-hurt-side]").forEach(function (button) {
      button.addEventListener("click", function () { chooseSide(button.dataset.hurtSide); });
    });
    el.root.querySelectorAll("[data-pain]").forEach(function (button) {
      button.addEventListener("click", function () { flagPain(button.dataset.pain); });
    });
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("keyup", onKeyUp);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && state.mode === "running") keepAwake();
    });
  }

  // -- opening, ticking, closing ------------------------------------------------------------

  function start(key, opener) {
    var routine = data.routines[key];
    if (!routine || !routine.steps.length || state.mode !== "idle") return;
    state.routine = routine;
    state.timer = new Timer(routine.steps, new RoutineClock());
    state.startedAt = new Date();
    state.opener = opener || null;
    state.flagged = null;
    state.redFlag = false;
    state.logged = false;
    state.mode = "running";
    el.title.textContent = routine.title + " routine";
    show(el.run, true);
    show(el.hurt, false);
    show(el.redflag, false);
    show(el.done, false);
    show(el.error, false);
    show(el.retry, false);
    el.close.textContent = "Finish";
    el.done.textContent = "";
    el.root.hidden = false;
    document.body.classList.add("player-open");
    render();
    el.pause.focus();
    state.ticker = window.setInterval(tick, TICK_MS);
    keepAwake();
  }

  function tick() {
    if (state.mode !== "running") return;
    var before = state.timer.index;
    state.timer.update();
    if (state.timer.index !== before && navigator.vibrate) navigator.vibrate(120);
    if (state.timer.over()) {
      finish();
      return;
    }
    render();
  }

  function render() {
    var timer = state.timer;
    var step = timer.current();
    var total = timer.total();
    var percent = timer.finished() || total <= 0
      ? 100
      : Math.min(100, Math.round((timer.position() / total) * 100));
    el.progress.style.width = percent + "%";
    el.bar.setAttribute("aria-valuenow", String(percent));
    el.root.classList.toggle("is-paused", timer.paused);
    show(el.paused, timer.paused && state.mode === "running");
    el.pause.textContent = timer.paused ? "Resume" : "Pause";
    el.pause.setAttribute("aria-pressed", timer.paused ? "true" : "false");
    if (!step) {
      el.countdown.textContent = "0:00";
      el.step.textContent = timer.quit ? "Stopped" : "Done";
      return;
    }
    var number = "Step " + (timer.index + 1) + " of " + timer.steps.length;
    setText(el.step, number);
    el.countdown.textContent = clockText(timer.remaining());
    setText(el.move, step.move);
    setText(el.where, [step.region_label, step.tool, step.intensity].join(" · "));
    setText(el.cue, step.cue);
    var next = timer.following();
    setText(el.next, next ? next.move + " (" + clockText(next.seconds) + ")" : "nothing, this is the last step");
    document.title = clockText(timer.remaining()) + " · " + state.routine.title + " · rubdown";
  }

  // Only touch text that changed, so screen readers announce a new step, not every tick.
  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  function stopTicking() {
    if (state.ticker !== null) window.clearInterval(state.ticker);
    state.ticker = null;
    releaseWake();
  }

  // The routine is over (all steps gone through, finished early, or stopped by a red flag).
  function finish() {
    stopTicking();
    render();
    show(el.run, false);
    show(el.hurt, false);
    el.close.textContent = "Close";
    sendLog();
  }

  function closeOrFinish() {
    if (state.mode === "running" || state.mode === "hurt") {
      state.timer.stop();
      finish();
    } else if (state.mode === "done") {
      hide();
    }
  }

  function hide() {
    stopTicking();
    el.root.hidden = true;
    document.body.classList.remove("player-open");
    document.title = state.title;
    state.mode = "idle";
    if (state.redFlag) {
      // The routines change once a region is flagged, and base.html shows the banner.
      window.location.reload();
      return;
    }
    if (state.opener) state.opener.focus();
  }

  // -- the runner's buttons -------------------------------------------------------------------

  function togglePause() {
    if (state.mode !== "running") return;
    state.timer.togglePause();
    render();
    if (state.timer.paused) releaseWake(); else keepAwake();
  }

  function skip() {
    if (state.mode !== "running") return;
    state.timer.skip();
    if (state.timer.over()) finish(); else render();
  }

  function hurts() {
    if (state.mode !== "running") return;
    var timer = state.timer;
    timer.update();
    var step = timer.current();
    if (!step) { finish(); return; }
    timer.leave("skipped"); // the step ends here, before its time was up
    state.wasPaused = timer.paused;
    timer.paused = true; // nothing runs while the runner answers
    state.hurtStep = step;
    state.mode = "hurt";
    show(el.run, false);
    show(el["hurt-hint"], false);
    var paired = step.region && step.paired && step.side === "both";
    show(el["hurt-sides"], Boolean(paired));
    chooseSide(paired ? "both" : step.side);
    show(el["hurt-fixed"], Boolean(step.region) && !paired);
    el["hurt-fixed"].textContent = step.region ? "Where: " + step.region_label : "";
    show(el["hurt-pick"], !step.region);
    el["hurt-region"].value = "";
    el["hurt-cancel"].textContent = "Go on without logging";
    show(el.hurt, true);
    el.step.textContent = "Step " + timer.index + " of " + timer.steps.length + " stopped";
    el.hurt.querySelector("[data-pain]").focus();
  }

  function chooseSide(side) {
    state.hurtSide = side;
    el["hurt-sides"].querySelectorAll("[data-hurt-side]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.hurtSide === side ? "true" : "false");
    });
  }

  function hurtRegion() {
    var step = state.hurtStep;
    if (!step.region) return el["hurt-region"].value;
    if (step.paired && step.side === "both" && state.hurtSide !== "both") {
      return state.hurtSide + "-" + step.part;
    }
    return step.region;
  }

  function cancelHurt() {
    if (state.mode !== "hurt") return;
    if (state.redFlag) {
      // A red flag was named: the routine stops here even if the pain is not logged.
      state.timer.stop();
      finish();
      return;
    }
    resumeAfterHurt();
  }

  function resumeAfterHurt() {
    state.mode = "running";
    state.timer.update(); // still paused: the time spent answering belongs to no step
    state.timer.paused = Boolean(state.wasPaused);
    show(el.hurt, false);
    if (state.timer.over()) {
      finish();
      return;
    }
    show(el.run, true);
    render();
    el.pause.focus();
  }

  async function flagPain(quality) {
    if (state.mode !== "hurt") return;
    var region = hurtRegion();
    var red = quality !== "dull";
    if (!region) {
      if (red) {
        // Red flags always win: the guidance shows before the pain can be logged.
        showRedFlag(null);
        el["hurt-cancel"].textContent = "Stop without logging the pain";
      }
      el["hurt-hint"].textContent = "Choose where it hurts, so it can go into today's check-in.";
      show(el["hurt-hint"], true);
      el["hurt-region"].focus();
      return;
    }
    setBusy(el.hurt, true);
    try {
      var answer = await window.rubdown.api("POST", "/api/today/pain-flag", {
        region: region,
        quality: quality,
      });
      state.flagged = answer;
      if (answer.red_flag) {
        showRedFlag(answer);
        state.timer.stop();
        state.mode = "logging";
        finish();
      } else {
        window.rubdown.flash(
          "Logged a " + answer.quality + " ache in the " + answer.region_label +
            " in today's check-in. Go lighter near it.",
          "ok"
        );
        resumeAfterHurt();
      }
    } catch (error) {
      if (red) {
        showRedFlag(null);
        state.timer.stop();
        state.mode = "logging";
        finish();
      }
      showError("The pain flag was not logged: " + error.message);
    } finally {
      setBusy(el.hurt, false);
    }
  }

  function showRedFlag(answer) {
    var rule = data.red_flag_rule;
    var advice = answer && answer.guidance ? answer.guidance.advice : [];
    if (!advice.length) {
      advice = ["Stop work on this region. If it does not settle, see a physiotherapist or doctor."];
    }
    el["redflag-advice"].replaceChildren();
    advice.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      el["redflag-advice"].appendChild(item);
    });
    var text = answer && answer.guidance ? answer.guidance.rule_text : rule.text;
    var sources = answer && answer.guidance ? answer.guidance.sources : rule.sources;
    el["redflag-rule"].textContent = text + " (rule " + rule.id + ", " + sources.join("; ") + ")";
    state.redFlag = true;
    show(el.redflag, true);
  }

  // -- logging ----------------------------------------------------------------------------------

  async function sendLog() {
    state.mode = "logging";
    var summary = state.timer.summary();
    show(el.error, false);
    show(el.retry, false);
    el.close.disabled = true;
    try {
      await window.rubdown.api("POST", "/api/today/routine-log", {
        routine: state.routine.when,
        steps_done: summary.steps_done,
        steps_skipped: summary.steps_skipped,
        seconds: summary.seconds,
        completed: summary.completed,
        started_at: state.startedAt.toISOString(),
      });
      state.logged = true;
      var how = summary.completed ? "Routine done" : "Stopped early";
      var text = "Logged. " + how + ": " + summary.steps_done + " of " + summary.steps +
        " steps done, " + summary.steps_skipped + " skipped, " + clockText(summary.seconds) +
        " timed.";
      if (state.flagged) {
        text += " The " + state.flagged.recorded + " pain in the " + state.flagged.region_label +
          " is in today's check-in.";
      }
      show(el.done, true);
      el.done.textContent = text;
    } catch (error) {
      showError("The routine was not logged: " + error.message);
      show(el.retry, true);
    } finally {
      state.mode = "done";
      el.close.disabled = false;
      el.close.textContent = "Close";
      (state.logged ? el.close : el.retry).focus();
    }
  }

  function showError(message) {
    el.error.textContent = message;
    show(el.error, true);
  }

  function setBusy(section, busy) {
    section.querySelectorAll("button, select").forEach(function (control) { control.disabled = busy; });
    section.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // -- keys ---------------------------------------------------------------------------------------

  function isTyping(target) {
    var tag = target && target.tagName;
    return tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA";
  }

  function onKeyDown(event) {
    if (el.root.hidden) return;
    if (event.key === "Tab") {
      trapFocus(event);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Escape") {
      event.preventDefault();
      closeOrFinish();
      return;
    }
    if (state.mode !== "running" || isTyping(event.target)) return;
    if (event.key === " " || event.key === "Spacebar") {
      // Space pauses wherever focus is, rather than pressing the focused button.
      event.preventDefault();
      if (!event.repeat) togglePause();
    } else if (/^[sSnN]$/.test(event.key)) {
      event.preventDefault();
      if (!event.repeat) skip();
    }
  }

  function onKeyUp(event) {
    // A button is pressed by Space on key up: keep it from acting on top of the pause.
    if (!el.root.hidden && (event.key === " " || event.key === "Spacebar") && !isTyping(event.target)
      && state.mode === "running") {
      event.preventDefault();
    }
  }

  function trapFocus(event) {
    var focusable = Array.prototype.filter.call(
      el.root.querySelectorAll("button, select, [href], [tabindex]:not([tabindex='-1'])"),
      function (node) { return !node.disabled && node.offsetParent !== null; }
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var inside = el.root.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  // -- keeping a phone's screen on while a routine runs ------------------------------------------

  function keepAwake() {
    if (!navigator.wakeLock || state.wakeLock) return;
    navigator.wakeLock.request("screen").then(
      function (lock) {
        state.wakeLock = lock;
        lock.addEventListener("release", function () { state.wakeLock = null; });
      },
      function () { /* not allowed here: the countdown works all the same */ }
    );
  }

  function releaseWake() {
    if (state.wakeLock) state.wakeLock.release().catch(function () {});
    state.wakeLock = null;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  window.rubdownPlayer = { Timer: Timer, clockText: clockText };
})();
