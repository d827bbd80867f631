// The PDF progress page: poll the render job every second, move the bar, and
// open the PDF when it is ready. Without JavaScript the page offers a reload link.
(function () {
  "use strict";
  var bar = document.getElementById("render-progress");
  var status = document.getElementById("render-status");
  if (!bar || !bar.dataset.pollUrl) return;
  var pollUrl = bar.dataset.pollUrl;
  var doneUrl = bar.dataset.doneUrl;
  var timer = null;

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  function show(job) {
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    if (job.message && status.textContent !== job.message) status.textContent = job.message;
  }

  function poll() {
    fetch(pollUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        // A job that is gone (a newer draft replaced it): ask for the PDF again.
        if (response.status === 404) {
          stop();
          window.location.assign(doneUrl);
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (!job) return;
        show(job);
        if (job.status === "done") {
          stop();
          window.location.assign(job.done_url || doneUrl);
        } else if (job.status === "failed") {
          stop();
          status.classList.add("render-failed");
        }
      })
      .catch(function () {
        // A dropped connection: keep polling, the job goes on on the server.
      });
  }

  timer = window.setInterval(poll, 1000);
  poll();
})();
