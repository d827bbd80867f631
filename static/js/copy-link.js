// A copy button after each <input data-copy-button="Salin" data-copy-subject="tautan
// notulen" data-copied="Tautan disalin."> (a link), and after each <textarea readonly
// data-copy-button="Salin teks" ...> (the text of an input a meeting could no longer
// take, to paste into a message to the secretariat). Made here, so that a page without
// JavaScript shows no button that does nothing: the field is there to select by hand.
(function () {
  var status = document.getElementById("copy-status");

  function announce(field) {
    if (status) {
      status.textContent = "";
      status.textContent = field.getAttribute("data-copied");
    }
  }

  function copyBySelecting(field) {
    field.focus();
    field.select();
    try {
      if (document.execCommand("copy")) {
        announce(field);
      }
    } catch (ignored) {
      // The text stays selected: the user copies it by hand.
    }
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { announce(field); },
        function () { copyBySelecting(field); }
      );
    } else {
      copyBySelecting(field);
    }
  }

  var fields = document.querySelectorAll("input[data-copy-button], textarea[data-copy-button]");
  Array.prototype.forEach.call(fields, function (field) {
    var link = field.tagName === "INPUT";
    var button = document.createElement("button");
    button.type = "button";
    button.className = link ? "button button-small" : "button";
    button.textContent = field.getAttribute("data-copy-button");
    var subject = document.createElement("span");
    subject.className = "visually-hidden";
    subject.textContent = " " + field.getAttribute("data-copy-subject");
    button.appendChild(subject);
    button.addEventListener("click", function () { copy(field); });
    field.insertAdjacentElement("afterend", button);
    if (link) field.insertAdjacentText("afterend", " ");
  });
})();
