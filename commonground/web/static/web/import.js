/* The import progress page: polls /import/<job>/progress every 500 ms and fills in the bar,
 * then the summary or the problems. Plain JavaScript; text goes in with textContent only. */
(function () {
  "use strict";

  var box = document.getElementById("import-job");
  var labelsNode = document.getElementById("import-labels");
  if (!box || !labelsNode) { return; }
  var labels = JSON.parse(labelsNode.textContent);
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-bar");
  var phase = document.getElementById("import-phase");
  var status = document.getElementById("import-status");
  var failures = 0;

  function show(id, visible) {
    var node = document.getElementById(id);
    if (node) { node.hidden = !visible; }
  }

  function finish(state) {
    bar.value = state.state === "done" ? 100 : bar.value;
    phase.textContent = labels[state.state] || state.state;
    if (state.state === "done" && state.summary) {
      Object.keys(state.summary).forEach(function (name) {
        var cell = document.querySelector('#import-summary [data-field="' + name + '"]');
        if (cell) { cell.textContent = Number(state.summary[name]).toLocaleString(); }
      });
      var link = document.getElementById("import-result-link");
      if (link && state.summary.link) { link.href = state.summary.link; }
      var withdrawn = document.getElementById("import-withdrawals-link");
      if (withdrawn && state.summary.withdrawals_link) {
        withdrawn.href = state.summary.withdrawals_link;
        show("import-withdrawals", true);
      }
      show("import-summary", true);
    } else {
      document.getElementById("import-error").textContent = state.error || "";
      var body = document.getElementById("import-problems");
      body.textContent = "";
      (state.problems || []).forEach(function (problem) {
        var row = document.createElement("tr");
        [problem.file, problem.row, problem.column, problem.reason].forEach(function (value) {
          var cell = document.createElement("td");
          cell.textContent = value === null || value === undefined ? "" : String(value);
          row.appendChild(cell);
        });
        body.appendChild(row);
      });
      show("import-failed", true);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (state.state === "done" || state.state === "rejected" || state.state === "failed") {
          finish(state);
          return;
        }
        var percent = state.percent || 0;
        bar.value = percent;
        bar.textContent = percent + " %";
        var word = labels[state.phase] || state.phase || labels.queued;
        phase.textContent = state.total ? word + " (" + Number(state.done).toLocaleString() +
          " / " + Number(state.total).toLocaleString() + ")" : word;
        window.setTimeout(poll, 500);
      })
      .catch(function () {
        failures += 1;
        if (failures > 5) { status.textContent = labels.lost; return; }
        window.setTimeout(poll, 1000);
      });
  }

  var initial = box.getAttribute("data-state");
  if (initial === "done" || initial === "rejected" || initial === "failed") { return; }
  poll();
}());
