"use strict";
(() => {
  function draw(board) {
    document.getElementById("waiting").textContent = board.waiting;
    document.getElementById("wait").textContent = Tent.minutes(board.wait_s);
    document.getElementById("busy").textContent = board.tables_busy + " / " + board.tables.length;
    document.getElementById("served").textContent = board.served;
    document.getElementById("by-distance").textContent = board.waiting_by_distance
      .map((d) => d.distance + ": " + d.waiting).join(" · ");
    const now = Date.now();
    const tiles = board.tables.map((t) => {
      const over = t.due_at && Date.parse(t.due_at) < now;
      const tile = Tent.element("div", null, "table" + (t.busy ? " busy" : "") + (over ? " over" : ""));
      tile.dataset.table = t.table;
      tile.appendChild(Tent.element("div", "Table " + t.table, "number"));
      tile.appendChild(Tent.element("div", t.busy ? "Bib " + (t.bib || "–") : "free"));
      return tile;
    });
    document.getElementById("tables").replaceChildren(...tiles);
    document.body.dataset.seq = board.seq;
  }
  Tent.live(draw, document.getElementById("live"));
})();
