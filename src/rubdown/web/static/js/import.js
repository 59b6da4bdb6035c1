// The Import page: choose or drop files, upload them to a background import job while the
// bar shows the bytes sent, then poll the job (files done of how many, the file it is at)
// and swap in the server-rendered report. Names from the runner's files only ever go into
// the page as text (textContent), or escaped by the server's templates.
(function () {
  "use strict";

  var form = document.getElementById("import-form");
  if (!form) return;
  var input = form.querySelector("input#import-files");
  var salvage = form.querySelector("input#import-salvage");
  var start = form.querySelector("button#import-start");
  var clear = form.querySelector("button#import-clear");
  var drop = document.getElementById("import-drop");
  var chosenBox = document.getElementById("import-chosen");
  var chosenList = document.getElementById("import-chosen-list");
  var chosenTotal = document.getElementById("import-chosen-total");
  var watch = document.getElementById("import-watch");
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  var report = document.getElementById("import-report");

  var POLL_MS = 500;
  var MAX_POLL_FAILURES = 10;
  var chosen = [];
  var busy = false;

  // -- choosing files ------------------------------------------------------------------------

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " KB";
    if (bytes < 1024 * 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    return (bytes / 1024 / 1024 / 1024).toFixed(2) + " GB";
  }

  function key(file) {
    return [file.name, file.size, file.lastModified].join("\u0000");
  }

  function add(files) {
    var known = {};
    chosen.forEach(function (f) { known[key(f)] = true; });
    Array.prototype.forEach.call(files, function (f) {
      if (!known[key(f)]) { chosen.push(f); known[key(f)] = true; }
    });
    mirror();
    show();
  }

  // Keep the input's own list the same as ours, so what the form holds is what is sent.
  function mirror() {
    try {
      var transfer = new DataTransfer();
      chosen.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
    } catch (ignored) { /* an old browser: our list is what gets sent anyway */ }
  }

  function show() {
    chosenList.textContent = "";
    var total = 0;
    chosen.forEach(function (f) {
      total += f.size;
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "import-chosen-name";
      name.textContent = f.name;
      var bytes = document.createElement("span");
      bytes.className = "muted";
      bytes.textContent = size(f.size);
      item.append(name, " ", bytes);
      chosenList.append(item);
    });
    chosenTotal.textContent = chosen.length
      ? chosen.length + (chosen.length === 1 ? " file, " : " files, ") + size(total)
      : "";
    chosenBox.hidden = chosen.length === 0;
    clear.hidden = chosen.length === 0;
  }

  input.addEventListener("change", function () { add(input.files); });
  clear.addEventListener("click", function () {
    chosen = [];
    mirror();
    show();
    input.focus();
  });

  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      drop.classList.add("dragging");
    });
  });
  ["dragleave", "dragend"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      if (event.type === "dragleave" && drop.contains(event.relatedTarget)) return;
      drop.classList.remove("dragging");
    });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("dragging");
    if (busy) return;
    if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
  });

  // -- progress ------------------------------------------------------------------------------

  // percent: 0-100, or null while there is no telling how far (the bar then moves on its own).
  function progress(percent, text) {
    watch.hidden = false;
    if (percent === null) {
      bar.removeAttribute("value");
      bar.removeAttribute("aria-valuenow");
    } else {
      var value = Math.max(0, Math.min(100, Math.round(percent)));
      bar.value = value;
      bar.setAttribute("aria-valuenow", String(value));
    }
    bar.setAttribute("aria-valuetext", text);
    status.textContent = text;
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function showJob(job) {
    var done = job.files_done;
    var total = job.files_total;
    if (job.state === "done") {
      var s = job.report.summary;
      var parts = [s.imported + " imported", s.duplicate + " already known"];
      if (s.partial) parts.push(s.partial + " partial");
      if (s.skipped) parts.push(s.skipped + " skipped");
      if (s.failed) parts.push(s.failed + " failed");
      progress(100, "Done: " + parts.join(", ") + ".");
    } else if (job.state === "failed") {
      progress(total ? (100 * done) / total : 0, "The import stopped: " + job.error);
    } else if (job.phase === "waiting") {
      progress(null, "Uploaded. Waiting for another import to finish…");
    } else if (job.phase === "counting") {
      progress(null, "Uploaded. Looking through " +
        plural(job.uploaded_files, "file", "files") + "…");
    } else if (job.phase === "finishing") {
      progress(100, "All " + plural(total, "file", "files") +
        " read; working out your training load…");
    } else {
      var text = "Importing: " + done + (total ? " of " + total : "") + " files";
      if (job.rate_files_per_s) text += " · " + job.rate_files_per_s.toFixed(1) + " files/s";
      if (job.current_file) text += " · at " + job.current_file;
      progress(total ? (100 * done) / total : null, text);
    }
  }

  // -- talking to the server -----------------------------------------------------------------

  function message(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (ignored) { /* not JSON */ }
    return "the server answered " + xhr.status;
  }

  // XMLHttpRequest, not fetch: only it tells how many bytes of the upload have gone.
  function upload(data) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/import/jobs");
      xhr.setRequestHeader("Accept", "application/json");
      var t = window.rubdown && window.rubdown.token();
      if (t) xhr.setRequestHeader(t.name, t.value);
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) {
          progress(null, "Uploading " + size(event.loaded) + "…");
          return;
        }
        progress((100 * event.loaded) / event.total,
          "Uploading: " + size(event.loaded) + " of " + size(event.total));
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 202) resolve(JSON.parse(xhr.responseText));
        else reject(new Error(message(xhr)));
      });
      xhr.addEventListener("error", function () {
        reject(new Error("the upload did not reach the server; is `rubdown serve` still running?"));
      });
      xhr.addEventListener("abort", function () { reject(new Error("the upload was stopped")); });
      xhr.send(data);
    });
  }

  function pause(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  async function follow(id) {
    var failures = 0;
    for (;;) {
      var job;
      try {
        job = await window.rubdown.api("GET", "/api/import/jobs/" + encodeURIComponent(id));
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures >= MAX_POLL_FAILURES) throw error;
        await pause(POLL_MS * 2);
        continue;
      }
      showJob(job);
      if (job.state !== "running") return job;
      await pause(POLL_MS);
    }
  }

  async function showReport(id) {
    var response = await fetch("/ui/import/jobs/" + encodeURIComponent(id) + "/report", {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error("the report could not be fetched (" + response.status + ")");
    // HTML the server rendered with every name escaped (templates/fragments/import_report.html).
    report.innerHTML = await response.text();
    report.hidden = false;
    var title = document.getElementById("import-report-title");
    if (title) title.focus();
  }

  function working(on) {
    busy = on;
    start.disabled = on;
    input.disabled = on;
    salvage.disabled = on;
    clear.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function watchJob(id) {
    var job = await follow(id);
    if (job.state === "done") {
      await showReport(id);
      var failed = job.report.summary.failed;
      window.rubdown.flash(failed ? "Import done; " + plural(failed, "file", "files") +
        " could not be read." : "Import done.", failed ? "error" : "ok");
    } else {
      window.rubdown.flash("The import stopped: " + job.error, "error");
    }
    return job;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return;
    if (!chosen.length && input.files.length) add(input.files);
    if (!chosen.length) {
      window.rubdown.flash("Choose or drop at least one file first.", "error");
      input.focus();
      return;
    }
    var data = new FormData();
    chosen.forEach(function (f) { data.append("files", f, f.name); });
    if (salvage.checked) data.append("salvage", "true");
    working(true);
    report.hidden = true;
    report.textContent = "";
    progress(0, "Uploading…");
    try {
      var job = await upload(data);
      // A reload comes back to this job (while the server remembers it).
      window.history.replaceState(null, "", "/import?job=" + encodeURIComponent(job.id));
      showJob(job);
      var ended = await watchJob(job.id);
      if (ended.state === "done") {
        chosen = [];
        mirror();
        show();
      }
    } catch (error) {
      progress(0, "Not imported: " + error.message);
      window.rubdown.flash(error.message, "error");
    } finally {
      working(false);
    }
  });

  // Back on the page while a job runs (a reload): follow it again.
  if (form.dataset.job && form.dataset.state === "running") {
    working(true);
    watchJob(form.dataset.job)
      .catch(function (error) { window.rubdown.flash(error.message, "error"); })
      .finally(function () { working(false); });
  }
})();
