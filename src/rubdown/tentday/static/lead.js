"use strict";
(async () => {
  await Tent.whoami();
  const result = document.getElementById("result");
  async function refresh() {
    const data = await Tent.get("/api/queue");
    const s = data.settings;
    if (!document.getElementById("settings").contains(document.activeElement)) {
      document.getElementById("priorities").value = s.priorities.join(", ");
      document.getElementById("cap").value = Math.round(s.cap_s / 60);
      document.getElementById("tables").value = s.tables;
    }
    const summary = data.summary;
    const stats = [
      ["Checked in", summary.checked_in], ["Massaged", summary.served],
      ["To medical", summary.medical], ["No-shows", summary.no_shows],
      ["Waiting", summary.still_waiting],
      ["Median wait", summary.wait_p50_s === null ? "–" : Tent.minutes(summary.wait_p50_s)],
      ["90th pct wait", summary.wait_p90_s === null ? "–" : Tent.minutes(summary.wait_p90_s)],
    ].map(([label, value]) => {
      const box = Tent.element("div", null, "stat");
      box.append(Tent.element("div", label, "label"), Tent.element("div", String(value), "big"));
      return box;
    });
    document.getElementById("summary").replaceChildren(...stats);
    document.getElementById("queue-total").textContent = data.waiting_total;
    document.getElementById("queue").replaceChildren(...data.waiting.map((v, i) => {
      const row = Tent.element("tr");
      row.append(Tent.element("td", i + 1), Tent.element("td", v.bib), Tent.element("td", v.name), Tent.element("td", v.distance));
      return row;
    }));
    document.getElementById("no-shows").replaceChildren(...data.no_shows.map((v) => {
      const row = Tent.element("tr");
      const button = Tent.element("button", "Back in the queue", "secondary");
      button.addEventListener("click", () => act("requeue", { visit_id: v.id }));
      const cell = Tent.element("td"); cell.appendChild(button);
      row.append(Tent.element("td", v.bib), Tent.element("td", v.name), cell);
      return row;
    }));
  }
  async function act(kind, body) {
    try {
      await Tent.act(kind, body);
      result.className = "result queued"; result.textContent = "Saved.";
    } catch (error) {
      result.className = "result error"; result.textContent = error.message;
    }
    await refresh();
  }
  document.getElementById("settings").addEventListener("submit", (event) => {
    event.preventDefault();
    const priorities = document.getElementById("priorities").value.split(",").map((p) => p.trim()).filter(Boolean);
    act("configure", {
      priorities, cap_s: Math.round(Number(document.getElementById("cap").value) * 60),
      tables: Number(document.getElementById("tables").value),
    });
  });
  document.getElementById("open-table").addEventListener("submit", (event) => {
    event.preventDefault();
    location.href = "/table?number=" + Number(document.getElementById("table-number").value);
  });
  await refresh();
  let pending = false;
  Tent.live(() => {
    if (pending) { return; }
    pending = true;
    setTimeout(async () => { pending = false; await refresh(); }, 500);
  }, document.getElementById("live"));
})();
