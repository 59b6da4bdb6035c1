"use strict";
(async () => {
  await Tent.whoami();
  const form = document.getElementById("checkin");
  const bib = document.getElementById("bib");
  const name = document.getElementById("name");
  const distance = document.getElementById("distance");
  const entry = document.getElementById("entry");
  const result = document.getElementById("result");
  const fieldset = document.getElementById("triage");
  const { signs } = await Tent.get("/api/triage");
  for (const sign of signs) {
    const row = Tent.element("div", null, "question");
    row.appendChild(Tent.element("span", sign.question));
    const answers = Tent.element("span", null, "answers");
    for (const [value, text] of [["yes", "Yes"], ["no", "No"]]) {
      const label = Tent.element("label");
      const radio = document.createElement("input");
      Object.assign(radio, { type: "radio", name: sign.key, value, required: true });
      radio.id = sign.key + "-" + value;
      label.append(radio, text);
      answers.appendChild(label);
    }
    row.appendChild(answers);
    fieldset.appendChild(row);
  }

  async function lookUp() {
    const number = bib.value.trim();
    if (!number) { return; }
    try {
      const found = await Tent.get("/api/entries/" + encodeURIComponent(number));
      name.value = found.name;
      distance.value = found.distance;
      entry.textContent = found.open_visit
        ? "Already checked in: " + found.open_visit.state.replace("_", " ")
        : found.name + ", " + (found.distance || "distance not known");
    } catch (error) {
      entry.textContent = error.message;
    }
  }
  bib.addEventListener("change", lookUp);

  function show(kind, title, items) {
    result.className = "result " + kind;
    result.replaceChildren(Tent.element("div", title));
    if (items && items.length) {
      const list = Tent.element("ul");
      for (const item of items) { list.appendChild(Tent.element("li", item)); }
      result.appendChild(list);
    }
    result.scrollIntoView({ block: "nearest" });  // on a phone the answer is below the fold
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = {};
    for (const sign of signs) {
      const chosen = form.querySelector(`input[name="${sign.key}"]:checked`);
      answers[sign.key] = chosen ? chosen.value === "yes" : null;
    }
    const button = document.getElementById("check-in");
    button.disabled = true;
    try {
      const answer = await Tent.act("checkin", {
        bib: bib.value.trim(), name: name.value.trim(), distance: distance.value.trim(), answers,
      });
      const who = (answer.visit.bib ? "Bib " + answer.visit.bib + " " : "") + answer.visit.name;
      if (answer.medical) {
        show("medical", "Send " + who + " to MEDICAL, not to a table:",
             answer.medical.map((m) => m.question + " (rule " + m.rule + ")"));
      } else {
        show("queued", who + ": in the queue, number " + answer.position + ", " + Tent.minutes(answer.wait_s) + ".");
      }
      form.reset();
      entry.textContent = "Next runner: type the bib.";
      bib.focus();
    } catch (error) {
      show("error", error.message);
    } finally {
      button.disabled = false;
    }
  });

  Tent.live((board) => {
    document.getElementById("waiting").textContent = board.waiting;
    document.getElementById("wait").textContent = Tent.minutes(board.wait_s);
  }, document.getElementById("live"));
})();
