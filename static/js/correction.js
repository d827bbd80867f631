// The correction form: only the unit field of the chosen role is shown, as on the input
// form. Without JavaScript every unit field is shown and the server keeps the right one.
// Nothing is kept on the phone: the form holds the sender's own name and phone number.
(function () {
  "use strict";
  var form = document.getElementById("correction-form");
  if (!form) return;
  document.documentElement.classList.add("js");
  var units = form.querySelectorAll(".unit");
  function showUnitFor(role) {
    units.forEach(function (unit) {
      var control = unit.querySelector("[data-role]");
      unit.hidden = !(control && control.getAttribute("data-role") === role);
    });
  }
  var roles = form.querySelectorAll('input[name="role"]');
  roles.forEach(function (radio) {
    radio.addEventListener("change", function () { showUnitFor(radio.value); });
  });
  var checked = form.querySelector('input[name="role"]:checked');
  showUnitFor(checked ? checked.value : "");

  form.addEventListener("submit", function () {
    var button = form.querySelector('button[type="submit"]');
    if (!button) return;
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = button.getAttribute("data-sending-label") || button.textContent;
    }, 0);
  });

  var notice = document.getElementById("error-summary") || document.getElementById("resend-notice");
  if (notice) notice.focus();
})();
