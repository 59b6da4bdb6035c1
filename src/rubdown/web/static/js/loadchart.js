// The Load page's chart: fitness (CTL), fatigue (ATL) and form (TSB) as lines, the daily load
// as bars on their own scale, races and massage sessions as vertical markers, and a readout
// of every number of the day under the cursor (or the day picked with the arrow keys).
// Everything comes from the JSON the server embedded in script#load-data; nothing is fetched.
(function () {
  "use strict";

  var DAY_S = 86400;

  function readData() {
    var block = document.getElementById("load-data");
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (ignored) {
      return null;
    }
  }

  // Days are calendar dates: each is drawn at its UTC midnight, and every label is read in
  // UTC, so the browser's own time zone can never shift a day.
  function toSeconds(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / 1000;
  }

  function dayText(seconds) {
    return new Date(seconds * 1000).toLocaleDateString(undefined, {
      weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
    });
  }

  function number(value, digits, signed) {
    if (value === null || value === undefined) return "–";
    var text = Math.abs(value).toFixed(digits);
    if (+text === 0) return (0).toFixed(digits);
    if (value < 0) return "−" + text;
    return (signed ? "+" : "") + text;
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  var COLOURS = {
    ctl: cssVar("--accent", "#1f6f5c"),
    atl: cssVar("--hard", "#6b4fa0"),
    tsb: "#1a6fb3",
    load: "rgba(120, 135, 148, 0.45)",
    hard: "rgba(107, 79, 160, 0.55)",
    raceA: cssVar("--race-a", "#b3261e"),
    raceB: cssVar("--race-b", "#d9822b"),
    raceC: cssVar("--race-c", "#c9a227"),
    session: cssVar("--accent", "#1f6f5c"),
    muted: cssVar("--muted", "#5b6670"),
    line: cssVar("--line", "#d9dee3"),
  };

  function markerColour(marker) {
    if (marker.type === "race") {
      return { A: COLOURS.raceA, B: COLOURS.raceB, C: COLOURS.raceC }[marker.priority] || COLOURS.raceA;
    }
    return COLOURS.session;
  }

  // Vertical lines with a label along them, a dashed "today" line and a shade over the
  // days to come (where the lines only show what rest would do). Drawn under the series.
  function markersPlugin(markers, todaySeconds) {
    function vertical(u, ctx, x, dash) {
      ctx.setLineDash(dash);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
    }

    return {
      hooks: {
        drawClear: function (u) {
          var ctx = u.ctx;
          var px = uPlot.pxRatio;
          var left = u.bbox.left;
          var right = left + u.bbox.width;
          ctx.save();
          var future = Math.round(u.valToPos(todaySeconds + DAY_S / 2, "x", true));
          if (future < right) {
            ctx.fillStyle = "rgba(91, 102, 112, 0.07)";
            ctx.fillRect(Math.max(future, left), u.bbox.top, right - Math.max(future, left), u.bbox.height);
          }
          var zero = Math.round(u.valToPos(0, "y", true));
          if (zero > u.bbox.top && zero < u.bbox.top + u.bbox.height) {
            ctx.strokeStyle = COLOURS.muted;
            ctx.lineWidth = px;
            ctx.setLineDash([]);
            ctx.beginPath();
            ctx.moveTo(left, zero);
            ctx.lineTo(right, zero);
            ctx.stroke();
          }
          var todayX = Math.round(u.valToPos(todaySeconds, "x", true));
          if (todayX >= left && todayX <= right) {
            ctx.strokeStyle = COLOURS.muted;
            ctx.lineWidth = px;
            vertical(u, ctx, todayX, [2 * px, 3 * px]);
          }
          ctx.restore();
        },
        draw: function (u) {
          var ctx = u.ctx;
          var px = uPlot.pxRatio;
          var left = u.bbox.left;
          var right = left + u.bbox.width;
          var labelled = [];
          var gap = 20 * px; // one label per 20 CSS pixels: a crowd of lines keeps only some labels
          ctx.save();
          ctx.font = 11 * px + "px system-ui, sans-serif";
          ctx.textBaseline = "bottom";
          // Races first, so that where labels would collide the race keeps its label.
          var ordered = markers.filter(function (m) { return m.type === "race"; })
            .concat(markers.filter(function (m) { return m.type !== "race"; }));
          ordered.forEach(function (marker) {
            var x = Math.round(u.valToPos(marker.seconds, "x", true));
            if (x < left || x > right) return;
            var colour = markerColour(marker);
            ctx.strokeStyle = colour;
            ctx.lineWidth = (marker.type === "race" ? 2 : 1.25) * px;
            vertical(u, ctx, x, marker.type === "planned" ? [5 * px, 4 * px] : []);
            var free = labelled.every(function (other) { return Math.abs(other - x) >= gap; });
            if (!free) return;
            labelled.push(x);
            // The label reads downwards along the line, from the top of the plot.
            var text = marker.label.length > 34 ? marker.label.slice(0, 33) + "…" : marker.label;
            ctx.save();
            ctx.translate(x + 2 * px, u.bbox.top + 4 * px);
            ctx.rotate(Math.PI / 2);
            ctx.fillStyle = colour;
            ctx.fillText(text, 0, 0);
            ctx.restore();
          });
          ctx.restore();
        },
      },
    };
  }

  function chartHeight(width) {
    return width < 560 ? 260 : 360;
  }

  function build(data, container) {
    var days = data.days;
    if (!days.length) return null;
    var xs = days.map(function (d) { return toSeconds(d.date); });
    var easy = days.map(function (d) { return d.hard.length ? null : d.load; });
    var hard = days.map(function (d) { return d.hard.length ? d.load : null; });
    var markers = data.markers.map(function (m) {
      return Object.assign({ seconds: toSeconds(m.date) }, m);
    });
    var byDate = {};
    markers.forEach(function (m) { (byDate[m.date] = byDate[m.date] || []).push(m); });
    var todaySeconds = toSeconds(data.today);
    var todayIndex = xs.indexOf(todaySeconds);
    var restingIndex = todayIndex >= 0 ? todayIndex : xs.length - 1;
    var picked = null; // the day chosen with the keyboard, kept when the pointer leaves
    var bars = uPlot.paths.bars({ size: [0.7, 24] });
    // A floor of 100 (an hour at threshold) keeps the bar axis readable when little was done.
    var maxLoad = Math.max.apply(null, days.map(function (d) { return d.load; }).concat([100]));

    var readout = document.getElementById("load-readout");

    function showDay(index) {
      if (index === null || index === undefined || index < 0) index = picked !== null ? picked : restingIndex;
      var day = days[index];
      var events = (byDate[day.date] || []).map(function (m) { return m.label; });
      if (day.hard.length) events.unshift("hard day: " + day.hard.join(", "));
      if (day.date > data.today) events.push("after today: as if resting");
      var rows = [
        ["Load", number(day.load, 0), COLOURS.load],
        ["Fitness (CTL)", number(day.ctl, 1), COLOURS.ctl],
        ["Fatigue (ATL)", number(day.atl, 1), COLOURS.atl],
        ["Form (TSB)", number(day.tsb, 1, true), COLOURS.tsb],
        ["Ramp", number(day.ramp, 1, true), null],
      ];
      readout.textContent = "";
      var when = document.createElement("p");
      when.className = "readout-day";
      when.textContent = dayText(xs[index]) + (day.date === data.today ? " (today)" : "");
      readout.appendChild(when);
      var list = document.createElement("dl");
      rows.forEach(function (row) {
        var item = document.createElement("div");
        var name = document.createElement("dt");
        if (row[2]) {
          var swatch = document.createElement("span");
          swatch.className = "swatch";
          swatch.style.background = row[2];
          swatch.setAttribute("aria-hidden", "true");
          name.appendChild(swatch);
        }
        name.appendChild(document.createTextNode(row[0]));
        var value = document.createElement("dd");
        value.textContent = row[1];
        item.appendChild(name);
        item.appendChild(value);
        list.appendChild(item);
      });
      readout.appendChild(list);
      if (events.length) {
        var happened = document.createElement("ul");
        happened.className = "readout-events";
        events.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text; // text, never markup: race names are the runner's own words
          happened.appendChild(li);
        });
        readout.appendChild(happened);
      }
      container.setAttribute("aria-valuenow", String(index));
      container.setAttribute(
        "aria-valuetext",
        when.textContent + ": " + rows.map(function (r) { return r[0] + " " + r[1]; }).join(", ") +
          (events.length ? "; " + events.join("; ") : "")
      );
    }

    var width = Math.max(container.clientWidth, 280);
    var options = {
      width: width,
      height: chartHeight(width),
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      scales: {
        x: { time: true },
        // The bars take the lower part of the plot, so they never hide the lines.
        load: { range: function () { return [0, maxLoad * 2.4]; } },
      },
      series: [
        {},
        { label: "Load", scale: "load", paths: bars, fill: COLOURS.load, stroke: COLOURS.load, points: { show: false } },
        { label: "Load (hard day)", scale: "load", paths: bars, fill: COLOURS.hard, stroke: COLOURS.hard, points: { show: false } },
        { label: "Fitness (CTL)", scale: "y", stroke: COLOURS.ctl, width: 2.5 },
        { label: "Fatigue (ATL)", scale: "y", stroke: COLOURS.atl, width: 1.5 },
        { label: "Form (TSB)", scale: "y", stroke: COLOURS.tsb, width: 1.5, dash: [6, 3] },
      ],
      axes: [
        { stroke: COLOURS.muted, grid: { stroke: COLOURS.line, width: 1 }, ticks: { stroke: COLOURS.line } },
        { scale: "y", stroke: COLOURS.muted, grid: { stroke: COLOURS.line, width: 1 }, ticks: { stroke: COLOURS.line } },
        { scale: "load", side: 1, stroke: COLOURS.muted, grid: { show: false }, ticks: { stroke: COLOURS.line },
          values: function (u, splits) {
            return splits.map(function (v) { return v <= maxLoad ? v.toFixed(0) : ""; });
          } },
      ],
      plugins: [markersPlugin(markers, todaySeconds)],
      hooks: {
        setCursor: [function (u) { showDay(u.cursor.idx); }],
      },
    };
    var plot = new uPlot(options, [xs, easy, hard, days.map(function (d) { return d.ctl; }),
      days.map(function (d) { return d.atl; }), days.map(function (d) { return d.tsb; })], container);

    // The keyboard reads the chart day by day: arrows step, Page keys jump a week, Home/End.
    container.tabIndex = 0;
    container.setAttribute("role", "slider");
    container.setAttribute("aria-label", "Day on the load chart (arrow keys move a day)");
    container.setAttribute("aria-valuemin", "0");
    container.setAttribute("aria-valuemax", String(days.length - 1));
    container.addEventListener("keydown", function (event) {
      var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1, PageDown: -7, PageUp: 7 };
      var from = picked !== null ? picked : restingIndex;
      var next;
      if (event.key in steps) next = from + steps[event.key];
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = days.length - 1;
      else return;
      event.preventDefault();
      picked = Math.min(days.length - 1, Math.max(0, next));
      plot.setCursor({ left: plot.valToPos(xs[picked], "x"), top: plot.bbox.height / uPlot.pxRatio / 2 });
      showDay(picked);
    });

    readout.hidden = false;
    showDay(null);
    return plot;
  }

  function addToggles(plot) {
    var box = document.getElementById("load-toggles");
    if (!box) return;
    var groups = [
      ["Load", [1, 2], COLOURS.load],
      ["Fitness (CTL)", [3], COLOURS.ctl],
      ["Fatigue (ATL)", [4], COLOURS.atl],
      ["Form (TSB)", [5], COLOURS.tsb],
    ];
    groups.forEach(function (group, n) {
      var id = "load-toggle-" + n;
      var label = document.createElement("label");
      label.htmlFor = id;
      var input = document.createElement("input");
      input.type = "checkbox";
      input.id = id;
      input.checked = true;
      input.addEventListener("change", function () {
        group[1].forEach(function (index) { plot.setSeries(index, { show: input.checked }); });
      });
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = group[2];
      swatch.setAttribute("aria-hidden", "true");
      label.appendChild(input);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(group[0]));
      box.appendChild(label);
    });
    box.hidden = false;
  }

  function start() {
    var container = document.getElementById("load-chart");
    var data = readData();
    if (!container || !data || typeof uPlot === "undefined") return;
    var plot = build(data, container);
    if (!plot) return;
    addToggles(plot);
    // The chart follows its container's width (a phone turned sideways, a resized window).
    var lastWidth = container.clientWidth;
    var resize = function () {
      var width = Math.max(container.clientWidth, 280);
      if (width === lastWidth) return;
      lastWidth = width;
      plot.setSize({ width: width, height: chartHeight(width) });
    };
    if (typeof ResizeObserver !== "undefined") new ResizeObserver(resize).observe(container);
    else window.addEventListener("resize", resize);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
