"use strict";
(async () => {
  const me = await Tent.whoami();
  const asked = new URLSearchParams(location.search).get("number");
  const number = me.role === "table" ? me.table : Number(asked);
  document.getElementById("title").textContent = "Table " + number;
  const result = document.getElementById("result");
  const buttons = {
    call: document.getElementById("call"), done: document.getElementById("done"),
    noShow: document.getElementById("no-show"), requeue: document.getElementById("requeue"),
  };
  let state = null;

  function render() {
    const visit = state && state.visit;
    document.getElementById("runner").textContent = visit ? (visit.bib ? "Bib " + visit.bib : visit.name) : "Free";
    document.getElementById("details").textContent = visit ? visit.name + (visit.distance ? " · " + visit.distance : "") : "Call the next runner when you are ready.";
    document.getElementById("waiting").textContent = state ? state.waiting : "–";
    buttons.call.disabled = Boolean(visit);
    buttons.done.disabled = buttons.noShow.disabled = buttons.requeue.disabled = !visit;
    tick();
  }
  function tick() {
    const left = document.getElementById("left");
    if (!state || !state.visit || !state.due_at) { left.textContent = "–"; return; }
    const seconds = (Date.parse(state.due_at) - Date.now()) / 1000;
    left.textContent = seconds >= 0 ? Tent.clock(seconds) : "over the cap by " + Tent.clock(-seconds);
  }
  async function refresh() {
    state = await Tent.get("/api/table" + (me.role === "table" ? "" : "?number=" + number));
    render();
  }
  async function act(kind, body) {
    result.className = ""; result.textContent = "";
    try {
      const answer = await Tent.act(kind, body);
      if (kind === "call" && !answer.visit) {
        result.className = "result"; result.textContent = "Nobody is waiting.";
      }
    } catch (error) {
      result.className = "result error"; result.textContent = error.message;
    }
    await refresh();
  }
  buttons.call.addEventListener("click", () => act("call", { table: number }));
  buttons.done.addEventListener("click", () => act("done", { visit_id: state.visit.id }));
  buttons.noShow.addEventListener("click", () => act("no_show", { visit_id: state.visit.id }));
  buttons.requeue.addEventListener("click", () => act("requeue", { visit_id: state.visit.id }));
  setInterval(tick, 1000);
  await refresh();
  // The board's events carry every table: this page asks for its own runner again only when
  // its table changed, so forty tables do not answer every event with a request each.
  let seen = null;
  Tent.live((board) => {
    document.getElementById("waiting").textContent = board.waiting;
    const mine = board.tables.find((t) => t.table === number);
    const now = JSON.stringify(mine || null);
    if (now !== seen) { seen = now; refresh(); }
  }, document.getElementById("live"));
})();
