// Ask before a destructive button does its work: <form data-confirm="Question?">.
// Without JavaScript the button still works; the audit log keeps what was removed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
