// What every page shares: the change token on every request that may change data, and one
// place where errors are shown. The token comes from the page's <meta name="rubdown-csrf">
// (see web/guard.py for why a custom header stops other sites' pages).
(function () {
  "use strict";

  function token() {
    var meta = document.querySelector('meta[name="rubdown-csrf"]');
    return meta ? { name: meta.dataset.header, value: meta.content } : null;
  }

  function flash(message, kind) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = message;
    box.className = "flash " + (kind || "error");
    box.hidden = false;
    if (kind === "ok") {
      window.clearTimeout(flash.timer);
      flash.timer = window.setTimeout(function () { box.hidden = true; }, 4000);
    }
  }

  function errorMessage(status, text) {
    try {
      var body = JSON.parse(text);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (ignored) { /* not JSON: fall through */ }
    return "the server answered " + status;
  }

  // fetch() with the token and the API's error shape turned into a thrown Error.
  async function api(method, url, body) {
    var headers = { Accept: "application/json" };
    var t = token();
    if (t && method !== "GET") headers[t.name] = t.value;
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response = await fetch(url, init);
    var text = await response.text();
    if (!response.ok) throw new Error(errorMessage(response.status, text));
    return text ? JSON.parse(text) : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var t = token();
    if (t) event.detail.headers[t.name] = t.value;
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    flash(errorMessage(xhr.status, xhr.responseText), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("the rubdown server did not answer; is `rubdown serve` still running?", "error");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("flash");
    if (box && !box.classList.contains("ok")) box.hidden = true;
  });

  window.rubdown = { api: api, flash: flash, token: token };
})();
