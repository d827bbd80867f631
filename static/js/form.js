// Progressive enhancement for the input form. Without JavaScript every unit
// field is shown with its role in the label, and the server picks the right one.
(function () {
  "use strict";
  var form = document.getElementById("input-form");
  if (!form) return;
  document.documentElement.classList.add("js");

  var units = form.querySelectorAll(".unit");
  function showUnitFor(role) {
    units.forEach(function (unit) {
      var control = unit.querySelector("[data-role]");
      var matches = control && control.getAttribute("data-role") === role;
      unit.hidden = !matches;
    });
  }
  function checkedValue(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  form.querySelectorAll('input[name="role"]').forEach(function (radio) {
    radio.addEventListener("change", function () { showUnitFor(radio.value); });
  });
  showUnitFor(checkedValue("role"));

  // One tap sends once; the server also refuses to record the same send twice.
  form.addEventListener("submit", function () {
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = button.getAttribute("data-sending-label") || button.textContent;
      }, 0);
    }
  });

  var summary = document.getElementById("error-summary") || document.getElementById("resend-notice");
  if (summary) summary.focus();
})();
