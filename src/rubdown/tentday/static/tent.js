// Shared by the tent's pages: who this device is, and actions that survive a dropped network.
"use strict";
const Tent = {
  me: null,
  async whoami() {
    const response = await fetch("/api/me", { credentials: "same-origin" });
    if (response.status === 401) { location.href = "/"; throw new Error("not joined"); }
    this.me = await response.json();
    return this.me;
  },
  // An idempotency key per action, made once: every retry of the action sends the same one,
  // so the server stores it once. getRandomValues works on plain http on the tent's network.
  newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  },
  async get(path) {
    const response = await fetch(path, { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) { throw new Error(body.error ? body.error.message : response.statusText); }
    return body;
  },
  // Retries on a network failure or a server that is restarting (502-504) with the same key,
  // for up to a minute; any other refusal is shown at once.
  async act(kind, body) {
    const key = this.newKey();
    let delay = 300;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      let response;
      try {
        response = await fetch("/api/actions/" + kind, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Idempotency-Key": key,
                     "X-Tent-CSRF": this.me.csrf },
          body: JSON.stringify(body || {}),
        });
      } catch (error) {
        response = null;
      }
      if (response && response.status < 502) {
        const answer = await response.json();
        if (!response.ok) { throw new Error(answer.error ? answer.error.message : response.statusText); }
        return answer;
      }
      await new Promise((done) => setTimeout(done, delay));
      delay = Math.min(delay * 2, 3000);
    }
    throw new Error("the tent's server does not answer: try again");
  },
  minutes(seconds) {
    if (seconds < 60) { return "no wait"; }
    return "about " + Math.round(seconds / 60) + " min";
  },
  clock(seconds) {
    const sign = seconds < 0 ? "-" : "";
    const s = Math.abs(Math.round(seconds));
    return sign + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  },
  // The live board: server-sent events; the browser reconnects by itself after a restart.
  live(onBoard, status) {
    const source = new EventSource("/api/board/events");
    source.addEventListener("board", (event) => onBoard(JSON.parse(event.data)));
    source.onopen = () => { if (status) { status.textContent = "live"; status.classList.remove("off"); } };
    source.onerror = () => { if (status) { status.textContent = "reconnecting…"; status.classList.add("off"); } };
    return source;
  },
  element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  },
};
