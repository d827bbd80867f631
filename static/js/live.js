// The projector view of a meeting's intake (templates/meetings/live.html).
// Every 5 seconds it fetches live.json and redraws the numbers and the newest
// titles. User text only ever goes in through textContent, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch) return;

  var INTERVAL_MS = 5000;
  var url = root.getAttribute("data-live-url");
  var locale = root.getAttribute("data-locale") || "id";
  var numbers = new Intl.NumberFormat(locale);
  var clock;
  try {
    clock = new Intl.DateTimeFormat(locale, {
      timeStyle: "medium",
      timeZone: root.getAttribute("data-timezone") || undefined
    });
  } catch (error) {
    clock = new Intl.DateTimeFormat(locale, { timeStyle: "medium" });
  }
  var status = root.querySelector("[data-live-status]");

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawCounts(list, rows, total) {
    var items = rows.map(function (row) {
      var item = element("li");
      item.appendChild(element("span", "live-label", row.label));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "live-count", numbers.format(row.count)));
      var meter = element("meter");
      meter.min = 0;
      meter.max = Math.max(total, 1);
      meter.value = row.count;
      meter.setAttribute("aria-hidden", "true");
      item.appendChild(meter);
      return item;
    });
    list.replaceChildren.apply(list, items);
  }

  function drawNewest(list, rows) {
    if (!rows.length) {
      list.replaceChildren(element("li", "muted", root.getAttribute("data-empty-label")));
      return;
    }
    list.replaceChildren.apply(list, rows.map(function (row) {
      var item = element("li");
      item.appendChild(element("span", "live-kind", row.kind_label));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "live-title", row.title));
      return item;
    }));
  }

  function draw(data) {
    root.querySelector("[data-live-total]").textContent = numbers.format(data.total);
    ["by_pillar", "by_kind", "by_role"].forEach(function (name) {
      var list = root.querySelector('[data-live-list="' + name + '"]');
      if (list && data[name]) drawCounts(list, data[name], data.total);
    });
    drawNewest(root.querySelector("[data-live-newest]"), data.newest || []);
    var label = root.getAttribute("data-updated-label") || "{time}";
    status.textContent = label.replace("{time}", clock.format(new Date(data.generated_at)));
    status.classList.remove("live-error");
  }

  function showProblem(attribute) {
    status.textContent = root.getAttribute(attribute);
    status.classList.add("live-error");
  }

  function refresh() {
    if (document.hidden) return; // a hidden tab does not need fresh numbers
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        // A finished session answers with the sign-in page instead of JSON.
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || !json) {
          showProblem("data-signed-out-label");
          return null;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) { if (data) draw(data); })
      .catch(function () { showProblem("data-error-label"); });
  }

  window.setInterval(refresh, INTERVAL_MS);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });
})();
