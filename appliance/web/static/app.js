// Permanence status page: progressive enhancement only; every page works without it.
// No inline script anywhere: the Content-Security-Policy only allows this file.
"use strict";
(function () {
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  // Exposed for API calls from the pages: every state-changing fetch sends the token.
  window.permanenceFetch = function (url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRF-Token": csrf() }, options.headers || {});
    return fetch(url, options);
  };
  function setText(id, value) {
    var el = document.getElementById(id);
    if (el && value !== undefined && value !== null) { el.textContent = String(value); }
  }
  function refreshDashboard() {
    fetch("/api/dashboard", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        setText("kpi-answered", d.counts.answered);
        setText("kpi-abandoned", d.counts.abandoned);
        setText("kpi-urgent", d.counts.urgent);
        setText("kpi-missed", d.counts.missed);
        setText("kpi-callback", d.worklist.total);
        setText("kpi-overdue", d.worklist.overdue);
        var ul = document.getElementById("lines");
        if (ul && d.lines.length) {
          ul.textContent = "";
          d.lines.forEach(function (ln) {   // textContent only: nothing is parsed as HTML
            var li = document.createElement("li");
            var b = document.createElement("strong");
            b.textContent = ln.name + " ";
            var s = document.createElement("span");
            s.className = "badge st-" + String(ln.state).replace(/[^a-z_]/g, "");
            s.textContent = ln.state;
            li.appendChild(b); li.appendChild(s);
            ul.appendChild(li);
          });
        }
      })
      .catch(function () { /* offline for a moment: keep what is shown */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.getAttribute("data-page") === "dashboard") {
      window.setInterval(refreshDashboard, 10000);
    }
  });
})();
