// Progressive enhancement for the input form (templates/submissions/meeting.html).
// Without JavaScript the form works as it is: every unit field is shown with its role
// in the label, the server picks the right one, and each limit is stated under its field.
//
// With it, on this phone only (localStorage; nothing more reaches the server than the
// normal send):
// - the unit field of the chosen role, and the marks of fields an answer makes required;
// - a live character count (GOV.UK's character count: no hard cut);
// - error summary links that bring the question into view and focus the field;
// - a draft per meeting, kept while typing, brought back on reload or a language
//   switch, dropped once a send is recorded (DRAFT_DAYS at most);
// - the sender's name, role, unit and position, kept when they send and filled into
//   their next form (IDENTITY_DAYS at most; never the phone number, never the input);
// - a send without network kept in a queue and sent, once, when the network returns
//   (with the service worker, static/js/sw.js, also when the network fails mid-send).
(function () {
  "use strict";
  var form = document.getElementById("input-form");
  if (!form) return;
  document.documentElement.classList.add("js");

  var DRAFT_DAYS = 7;
  var IDENTITY_DAYS = 90;
  var RETRY_SECONDS = 15;
  var DAY = 24 * 3600 * 1000;
  var IDENTITY = ["submitter_name", "role", "unit_kelurahan", "unit_kecamatan", "unit_agency",
    "unit_organisation", "position"];
  // Hidden tokens belong to one page load; the phone number is never kept on the phone.
  var NEVER_KEPT = ["csrf_token", "client_token", "invitation", "phone"];

  var texts = readTexts();
  var code = meetingCode();
  var DRAFT_KEY = "rakor:draft:" + code;
  var OUTBOX_KEY = "rakor:outbox:" + code;
  var IDENTITY_KEY = "rakor:identity";
  // Where the service worker leaves a send it could not deliver, and the time it last
  // saw a receipt open (static/js/sw.js uses the same names).
  var SW_CACHE = "rakor-outbox";
  var SW_OUTBOX = "/__rakor__/outbox/" + code;
  var SW_RECEIPT = "/__rakor__/receipt-seen/" + code;
  var SW_LANG = "/__rakor__/lang";

  function readTexts() {
    var block = document.getElementById("form-texts");
    try { return JSON.parse(block.textContent) || {}; } catch (e) { return {}; }
  }
  function say(key, values) {
    var text = texts[key] || "";
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }
  function meetingCode() {
    var path = new URL(form.action, location.href).pathname.replace(/\/+$/, "");
    return path.slice(path.lastIndexOf("/") + 1);
  }
  function clientToken() {
    var token = form.elements.namedItem("client_token");
    return token ? token.value : "";
  }

  // --- storage on this phone: a full or forbidden storage just keeps nothing ---------------
  function load(key, days) {
    try {
      var record = JSON.parse(window.localStorage.getItem(key));
      if (record && typeof record === "object" && Date.now() - record.saved < days * DAY) return record;
      if (record) window.localStorage.removeItem(key);
    } catch (e) { /* nothing kept */ }
    return null;
  }
  function store(key, record) {
    record.saved = Date.now();
    try { window.localStorage.setItem(key, JSON.stringify(record)); } catch (e) { /* not kept */ }
  }
  function drop(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  // --- the form's values ------------------------------------------------------------------
  function controls(name) {
    return /^[a-z_]+$/.test(name) ? form.querySelectorAll('[name="' + name + '"]') : [];
  }
  function checkedValue(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  function valuesOf(names) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || NEVER_KEPT.indexOf(name) >= 0 || (names && names.indexOf(name) < 0)) return;
      if (element.type === "radio" || element.type === "checkbox") {
        if (element.checked) values[name] = element.value;
      } else if (/^(text|textarea|select-one|search|email|tel|number|url)$/.test(element.type)) {
        values[name] = element.value;
      }
    });
    return values;
  }
  function untouched(select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].defaultSelected) return select.selectedIndex === i;
    }
    return select.selectedIndex <= 0;
  }
  // Puts saved values into the form; `gently`: only where nothing is answered yet.
  // Returns the names of the fields it changed.
  function fill(values, gently) {
    var changed = [];
    Object.keys(values || {}).forEach(function (name) {
      var value = values[name];
      var found = controls(name);
      if (typeof value !== "string" || !found.length || NEVER_KEPT.indexOf(name) >= 0) return;
      var first = found[0];
      if (first.type === "radio") {
        if (gently && checkedValue(name)) return;
        Array.prototype.forEach.call(found, function (radio) {
          if (radio.value === value && !radio.checked) { radio.checked = true; changed.push(name); }
        });
      } else if (first.tagName === "SELECT") {
        if (gently && !untouched(first)) return;
        var known = Array.prototype.some.call(first.options, function (option) { return option.value === value; });
        if (known && first.value !== value) { first.value = value; changed.push(name); }
      } else if (gently && first.value !== "") {
        return;
      } else if (first.value !== value) {
        first.value = value;
        changed.push(name);
      }
    });
    if (changed.length) refresh();
    return changed;
  }
  function clearFields(names) {
    names.forEach(function (name) {
      Array.prototype.forEach.call(controls(name), function (control) {
        if (control.type === "radio") control.checked = false;
        else if (control.tagName === "SELECT") control.selectedIndex = 0;
        else control.value = "";
      });
    });
    refresh();
  }

  // --- the unit of the chosen role, and what an answer makes required ---------------------
  var units = form.querySelectorAll(".unit");
  function showUnitFor(role) {
    units.forEach(function (unit) {
      var control = unit.querySelector("[data-role]");
      unit.hidden = !(control && control.getAttribute("data-role") === role);
    });
  }
  function markRequired() {
    form.querySelectorAll("[data-required-when]").forEach(function (field) {
      var required = checkedValue(field.getAttribute("data-required-when")) === field.getAttribute("data-required-value");
      var mark = field.querySelector(".required");
      var control = field.querySelector("input, select, textarea");
      if (mark) mark.hidden = !required;
      if (control) {
        if (required) control.setAttribute("aria-required", "true");
        else control.removeAttribute("aria-required");
      }
    });
  }

  // --- the character count: the visible line follows every key; a screen reader hears
  // the count once typing pauses, not on every keystroke ----------------------------------
  var counters = [];
  function characters(text) {
    // Code points, as the server counts; a line break is one (a textarea's value uses \n).
    return Array.from ? Array.from(text.trim()).length : text.trim().length;
  }
  function number(n) {
    try { return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n); } catch (e) { return String(n); }
  }
  form.querySelectorAll("[data-maxchars]").forEach(function (control) {
    var limit = parseInt(control.getAttribute("data-maxchars"), 10);
    var shown = document.getElementById(control.id + "-count");
    var heard = document.getElementById(control.id + "-count-live");
    if (!limit || !shown || !texts.countLeft) return;
    var pause = null;
    function update(announce) {
      var left = limit - characters(control.value);
      var n = Math.abs(left);
      var key = left >= 0 ? (n === 1 ? "countLeftOne" : "countLeft") : (n === 1 ? "countOverOne" : "countOver");
      var message = say(key, { n: number(n) });
      shown.textContent = message;
      shown.classList.toggle("is-over", left < 0);
      control.classList.toggle("is-over", left < 0);
      if (announce && heard) {
        window.clearTimeout(pause);
        pause = window.setTimeout(function () { heard.textContent = message; }, 1000);
      }
    }
    control.addEventListener("input", function () { update(true); });
    counters.push(update);
    update(false);
  });

  function refresh() {
    showUnitFor(checkedValue("role"));
    markRequired();
    counters.forEach(function (update) { update(false); });
  }
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") refresh();
  });
  refresh();

  // --- the error summary: a link brings the question into view, then focuses the field
  // (GOV.UK's error summary: the input alone would sit at the very top, its label or
  // question hidden above it) -------------------------------------------------------------
  var errorSummary = document.getElementById("error-summary");
  if (errorSummary) {
    errorSummary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!input || typeof input.focus !== "function") return;
      event.preventDefault();
      questionOf(input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }
  function questionOf(input) {
    var label = (input.labels && input.labels[0]) || input;
    var group = input.closest("fieldset");
    var legend = group && group.querySelector("legend");
    if (!legend || input.type !== "radio" && input.type !== "checkbox") return label;
    // The group's question, when it and the option fit on one screen together.
    var apart = input.getBoundingClientRect().top - legend.getBoundingClientRect().top;
    return apart + input.offsetHeight < window.innerHeight ? legend : label;
  }
  var firstNotice = errorSummary || document.getElementById("rate-notice") || document.getElementById("resend-notice");
  if (firstNotice) firstNotice.focus();

  // --- notes about what this phone keeps --------------------------------------------------
  var notes = document.createElement("div");
  notes.className = "device-notes";
  form.parentNode.insertBefore(notes, form);
  function note(id, message, actions) {
    var old = document.getElementById(id);
    if (old) old.remove();
    var box = document.createElement("div");
    box.id = id;
    box.className = "notice device-note";
    var text = document.createElement("p");
    text.textContent = message;
    box.appendChild(text);
    (actions || []).forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = action.label;
      button.addEventListener("click", function () { box.remove(); action.run(); });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(button);
    });
    notes.appendChild(box);
  }
  function forgetNote(id) {
    var box = document.getElementById(id);
    if (box) box.remove();
  }

  // --- the send's state, beside the send button -------------------------------------------
  var button = form.querySelector('button[type="submit"]');
  var buttonLabel = button ? button.textContent : "";
  var state = document.createElement("div");
  state.className = "send-state";
  state.id = "send-state";
  state.setAttribute("role", "status");
  if (button) form.insertBefore(state, button); else form.appendChild(state);
  function showState(key, className) {
    state.textContent = "";
    var box = document.createElement("div");
    box.className = "notice " + className;
    var text = document.createElement("p");
    text.textContent = say(key);
    box.appendChild(text);
    state.appendChild(box);
    return box;
  }
  // Every input the queue has sent since the page opened: its code and its receipt.
  var sentNow = [];
  function showSent(address, receiptCode) {
    sentNow.push({ address: address, code: receiptCode });
    var box = showState("sent", "notice-sent");
    box.textContent = "";
    sentNow.forEach(function (sent, index) {
      var last = index === sentNow.length - 1;
      var text = document.createElement("p");
      text.textContent = (index === 0 ? say("sent") + " " : "") + say("sentCode") + " ";
      var shownCode = document.createElement("strong");
      shownCode.className = "receipt-code";
      if (last) shownCode.id = "sent-receipt-code";
      shownCode.textContent = sent.code;
      text.appendChild(shownCode);
      box.appendChild(text);
      var line = document.createElement("p");
      var link = document.createElement("a");
      link.href = sent.address;
      link.textContent = say("sentLink");
      line.appendChild(link);
      box.appendChild(line);
    });
  }
  function resetButton() {
    if (!button) return;
    button.disabled = false;
    button.textContent = buttonLabel;
  }

  // --- the draft ----------------------------------------------------------------------------
  var draft = load(DRAFT_KEY, DRAFT_DAYS);
  var saving = null;
  function saveDraft() {
    saving = null;
    draft = draft || {};
    draft.values = valuesOf(null);
    store(DRAFT_KEY, draft);
  }
  form.addEventListener("input", function () {
    window.clearTimeout(saving);
    saving = window.setTimeout(saveDraft, 300);
  });
  // Leaving the page (a reload, the language switch) within the pause: save what is
  // still waiting to be saved.
  window.addEventListener("pagehide", function () {
    if (saving) {
      window.clearTimeout(saving);
      saveDraft();
    }
  });
  form.addEventListener("change", function () {
    window.clearTimeout(saving);
    saveDraft();
  });
  function clearDraft() {
    drop(DRAFT_KEY);
    draft = null;
    form.reset();
    refresh();
    fillIdentity();
  }
  function restoreDraft(gently) {
    if (fill(draft.values, gently).length) {
      note("draft-note", say("draftRestored"), [{ label: say("draftClear"), run: clearDraft }]);
    }
  }
  function offerDraft() {
    note("draft-note", say("draftOffer"), [
      { label: say("draftOfferRestore"), run: function () {
        draft.sent = null;
        store(DRAFT_KEY, draft);
        restoreDraft(false);
      } },
      { label: say("draftClear"), run: function () { drop(DRAFT_KEY); draft = null; } },
    ]);
  }

  // --- the sender's identity ----------------------------------------------------------------
  function fillIdentity() {
    // A personal invitation link has filled in its invitee; another sender's details
    // kept on this phone must not replace them.
    var invitation = form.querySelector("input[name=invitation]");
    if (invitation && invitation.value) return;
    var identity = load(IDENTITY_KEY, IDENTITY_DAYS);
    var filled = identity ? fill(identity.values, true) : [];
    if (!filled.length) return;
    note("identity-note", say("identityFilled"), [{ label: say("identityForget"), run: function () {
      drop(IDENTITY_KEY);
      clearFields(filled);
      saveDraft();
    } }]);
  }

  // --- sending, and the queue for a send without network ------------------------------------
  function remember() {
    saveDraft();
    draft.sent = clientToken();
    draft.sentAt = Date.now();
    store(DRAFT_KEY, draft);
    store(IDENTITY_KEY, { values: valuesOf(IDENTITY) });
  }
  // The queue: every send kept on this phone, oldest first; the same content once.
  function outbox() {
    var record = load(OUTBOX_KEY, DRAFT_DAYS);
    if (!record) return [];
    if (Array.isArray(record.items)) return record.items.filter(function (item) { return item && item.body; });
    return record.body ? [record] : []; // kept by an earlier version of this script
  }
  function keepOutbox(items) {
    if (items.length) store(OUTBOX_KEY, { items: items }); else drop(OUTBOX_KEY);
  }
  // What a send says, without the tokens of the page load it came from.
  function contentOf(body) {
    var params = new URLSearchParams(body);
    ["csrf_token", "client_token"].forEach(function (name) { params.delete(name); });
    return params.toString();
  }
  function sameContent(body, values) {
    var params = new URLSearchParams(body);
    var sent = {};
    params.forEach(function (value, name) { if (NEVER_KEPT.indexOf(name) < 0) sent[name] = value; });
    var names = Object.keys(sent);
    var kept = Object.keys(values || {});
    return names.length === kept.length && names.every(function (name) { return values[name] === sent[name]; });
  }
  function withoutContent(items, body) {
    var content = contentOf(body);
    return items.filter(function (item) { return contentOf(item.body) !== content; });
  }
  function addToOutbox(item) {
    var items = withoutContent(outbox(), item.body);
    items.push({ action: item.action, body: item.body, token: item.token || "" });
    keepOutbox(items);
  }
  function formBody() {
    return new URLSearchParams(new FormData(form)).toString();
  }
  function enqueue() {
    addToOutbox({ action: form.action, body: formBody(), token: clientToken() });
  }
  form.addEventListener("submit", function (event) {
    remember();
    if (navigator.onLine === false) {
      event.preventDefault();
      enqueue();
      waitForNetwork();
      return;
    }
    // This send goes now; a waiting one with the same content need not go again, the
    // others stay in the queue (sent on the next visit of this meeting's form).
    keepOutbox(withoutContent(outbox(), formBody()));
    // One tap sends once; the server also refuses to record the same send twice.
    if (button) {
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = button.getAttribute("data-sending-label") || button.textContent;
      }, 0);
    }
  });
  // Back to this page from the browser's memory (the back button): the button works again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) resetButton();
  });

  var retry = null;
  var sending = false;
  function waitForNetwork(key) {
    resetButton();
    var box = showState(key || "queued", "notice-queued");
    var waiting = outbox().length;
    if (waiting > 1 && texts.waitingMany) {
      var count = document.createElement("p");
      count.className = "waiting-count";
      count.textContent = say("waitingMany", { n: number(waiting) });
      box.appendChild(count);
    }
    state.scrollIntoView({ block: "center" });
    window.clearTimeout(retry);
    retry = window.setTimeout(flush, RETRY_SECONDS * 1000);
  }
  function withLock(task) {
    // Two tabs of the same form: one sends, the other finds the queue empty.
    if (navigator.locks && navigator.locks.request) return navigator.locks.request(OUTBOX_KEY, task);
    return Promise.resolve().then(task);
  }
  // Sends what waits, oldest first, one at a time; stops at the first that cannot go.
  function flush() {
    if (sending || !outbox().length) return;
    if (navigator.onLine === false) { waitForNetwork(); return; }
    sending = true;
    withLock(sendNext).then(done, done);
    function done() { sending = false; }
  }
  function sendNext() {
    var item = outbox()[0];
    if (!item) return null;
    showState("sending", "notice-queued");
    return fetch(item.action, {
      method: "POST",
      body: new URLSearchParams(item.body),
      credentials: "same-origin",
    }).then(function (response) {
      return answered(response, item);
    }, function () { waitForNetwork(); return false; }).then(function (goOn) {
      return goOn ? sendNext() : null;
    });
  }
  // The server's answer to one queued send; true when the next one may go.
  function answered(response, item) {
    var path = new URL(response.url).pathname;
    // Not an answer of this app (a captive portal's page, a proxy's error while the app
    // restarts) or a server error: nothing was recorded; kept, and tried again.
    var ours = !!response.headers.get("X-Request-ID");
    if (response.status >= 500 || !ours) {
      waitForNetwork("busy");
      return false;
    }
    if (response.ok && path.indexOf("/receipt/") >= 0) {
      keepOutbox(withoutContent(outbox(), item.body));
      if (!draft || sameContent(item.body, draft.values)) {
        drop(DRAFT_KEY);
        draft = null;
      }
      return response.text().then(function (html) {
        showSent(response.url, receiptCodeIn(html) || path.slice(path.lastIndexOf("/") + 1));
        return true;
      });
    }
    if (response.status === 429) {
      // The rate limit: still not recorded; try again when the server says.
      var wait = parseInt(response.headers.get("Retry-After"), 10);
      waitForNetwork("busy");
      window.clearTimeout(retry);
      retry = window.setTimeout(flush, (wait > 0 ? wait : RETRY_SECONDS) * 1000);
      return null;
    }
    // Refused (a field to fix, the meeting closed, a page open too long): the server's
    // own page says why, with everything typed in it. Send this form the usual way to
    // show it; nothing was recorded, so this send is not a second one.
    keepOutbox(withoutContent(outbox(), item.body));
    putBack(item.body);
    remember();
    HTMLFormElement.prototype.submit.call(form);
    return false;
  }
  // The refused send's content into the form (the tokens of this page load stay).
  function putBack(body) {
    var values = {};
    new URLSearchParams(body).forEach(function (value, name) { values[name] = value; });
    if (sameContent(body, valuesOf(null))) return;
    clearFields(Object.keys(valuesOf(null)).filter(function (name) { return !(name in values); }));
    fill(values, false);
    var phone = form.elements.namedItem("phone");
    if (phone && typeof values.phone === "string") phone.value = values.phone;
  }
  function receiptCodeIn(html) {
    try {
      var shown = new DOMParser().parseFromString(html, "text/html").getElementById("receipt-code");
      return shown ? shown.textContent.trim() : "";
    } catch (e) { return ""; }
  }
  window.addEventListener("online", flush);

  // --- what this page load finds ------------------------------------------------------------
  function swCache() {
    return window.caches ? window.caches.open(SW_CACHE) : Promise.reject(new Error("no caches"));
  }
  function readSw(key) {
    return swCache().then(function (cache) {
      return cache.match(key).then(function (hit) {
        return hit ? hit.json().then(function (value) { cache.delete(key); return value; }) : null;
      });
    }).catch(function () { return null; });
  }
  function start(fromWorker) {
    if (fromWorker && fromWorker.body) addToOutbox(fromWorker);
    var queued = outbox().length;
    if (queued) {
      if (draft) fill(draft.values, true);
      waitForNetwork();
      flush();
    } else if (draft && draft.sent && draft.sent === clientToken()) {
      // The server's answer to that send (a field to fix, the meeting closed...): it shows
      // what was sent; the draft goes on from here. The worker's kept copy of the form
      // (the same page load, opened without network) is empty: the draft fills it in.
      draft.sent = null;
      store(DRAFT_KEY, draft);
      restoreDraft(true);
    } else if (draft && draft.sent) {
      // Sent from this page, and no receipt of this meeting seen since: perhaps it never
      // arrived.
      readSw(SW_RECEIPT).then(function (seen) {
        if (seen && seen.at >= draft.sentAt) { drop(DRAFT_KEY); draft = null; fillIdentity(); return; }
        offerDraft();
        fillIdentity();
      });
      return;
    } else if (draft) {
      restoreDraft(true);
    }
    fillIdentity();
  }
  readSw(SW_OUTBOX).then(start);
  // The page's language, for the worker's own page when a send fails without a kept form.
  if (window.caches) {
    window.caches.open(SW_CACHE).then(function (cache) {
      return cache.put(SW_LANG, new Response(JSON.stringify({ lang: document.documentElement.lang || "id" }), {
        headers: { "Content-Type": "application/json" },
      }));
    }).catch(function () { /* the worker's page is then in Indonesian */ });
  }

  // --- the service worker: the page without network, a send that fails mid-way -------------
  if ("serviceWorker" in navigator && texts.serviceWorker) {
    navigator.serviceWorker.register(texts.serviceWorker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // Keep this meeting's form for a reload or a send without network. A personal
      // link's page (with the invitee's name) is not kept: its bare form is fetched for it.
      if (!window.caches) return null;
      var bare = location.pathname;
      return window.caches.open("rakor-pages").then(function (cache) {
        return cache.match(bare, { ignoreVary: true }).then(function (hit) { return hit || cache.add(bare); });
      });
    }).catch(function () { /* the page-level queue still works */ });
  }
})();
