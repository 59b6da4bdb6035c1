"use strict";
document.getElementById("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = document.getElementById("message");
  message.textContent = "";
  const table = document.getElementById("table").value;
  const body = { pin: document.getElementById("pin").value.trim() };
  if (table) { body.table = Number(table); }
  try {
    const response = await fetch("/api/join", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) { throw new Error(answer.error.message); }
    location.href = "/" + answer.role;
  } catch (error) {
    message.className = "result error";
    message.textContent = error.message;
  }
});
