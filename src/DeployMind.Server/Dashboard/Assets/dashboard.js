// DeployMind dashboard: the live parts. Without this script every page still works; it only keeps them current.
(function () {
  "use strict";
  var live = document.getElementById("live");

  // Replaces #live with the same part of a fresh copy of the page (the overview and lists every few seconds,
  // a deployment's summary when its timeline moves). Skipped while the person is typing or choosing in it.
  function refresh() {
    if (!live || document.hidden || (document.activeElement && live.contains(document.activeElement) && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName))) {
      return Promise.resolve();
    }
    return fetch(location.href, { headers: { "X-Dashboard-Fragment": "1" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { location.href = "/signin?return=" + encodeURIComponent(location.pathname + location.search); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live");
        if (fresh) { live.replaceWith(fresh); live = fresh; }
        // The heading too: a queued deployment learns its app's name from its configuration once a worker reads it.
        var heading = doc.querySelector("main h1"), current = document.querySelector("main h1");
        if (heading && current && heading.textContent !== current.textContent) { current.textContent = heading.textContent; document.title = doc.title; }
      })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }

  var every = live && live.getAttribute("data-refresh");
  if (every) {
    setInterval(refresh, Math.max(2, parseInt(every, 10)) * 1000);
  }

  // A running deployment's log and timeline: the API's event stream, from the line after the last one shown.
  var log = document.getElementById("log");
  var stream = log && log.getAttribute("data-stream");
  if (stream && window.EventSource) {
    var shown = live ? parseInt(live.getAttribute("data-events") || "0", 10) : 0;
    var seen = 0;
    var pending = null;
    var source = new EventSource(stream);
    var follow = function () { return log.scrollTop + log.clientHeight >= log.scrollHeight - 40; };
    source.addEventListener("log", function (e) {
      var line = JSON.parse(e.data);
      var atEnd = follow();
      var time = (line.at || "").substring(11, 19);
      log.appendChild(document.createTextNode(time + " " + (line.stage + "        ").substring(0, 8) + " " + line.text + "\n"));
      if (atEnd) { log.scrollTop = log.scrollHeight; }
    });
    source.addEventListener("state", function () {
      seen += 1;
      if (seen > shown && !pending) {
        shown = seen;
        pending = setTimeout(function () { pending = null; refresh(); }, 300);
      }
    });
    source.addEventListener("end", function () {
      source.close();
      setTimeout(refresh, 300);
    });
  }
})();
