// Rakor's service worker, served at /sw.js (app/submissions/offline.py) so that its scope
// covers the form (/m/<code>) and the receipt (/receipt/<code>). Public Web APIs only.
//
// - The form page and the static files: from the network, a copy kept for a reload
//   without network (a personal invitation link's page, with its query, is not kept).
// - A send of the form that finds no network: its body is kept in the Cache API under
//   /__rakor__/outbox/<code>, and the browser is sent back to the (kept) form page, whose
//   script (static/js/form.js) takes it into its queue and sends it when the network
//   returns. The form's client token and CSRF token make a repeat harmless, and the
//   server records the same content once. With no kept form (a personal link opened
//   without its bare form ever loading), a small page of the worker's own says the send
//   is kept; the next load of any form page of that meeting sends it.
// - A receipt page opened from a meeting's form (the answer to its send): the time is
//   noted for that meeting, so that its form knows the draft was sent. A receipt opened
//   otherwise, or its correction page, says nothing about a draft.
"use strict";

var PAGES = "rakor-pages";
var OUTBOX = "rakor-outbox";
var FORM_PATH = /^\/m\/[^/]+\/?$/;
var RECEIPT_PATH = /^\/receipt\/[^/]+\/?$/;
var KEPT = {
  id: {
    title: "Belum terkirim",
    text: "Belum terkirim: tidak ada jaringan. Masukan Anda tersimpan di ponsel ini dan akan dikirim otomatis saat jaringan kembali, ketika formulir rapat ini dibuka lagi.",
    back: "Kembali ke formulir",
  },
  en: {
    title: "Not sent yet",
    text: "Not sent yet: no network. Your input is saved on this phone and will be sent automatically when the network returns, when this meeting's form is opened again.",
    back: "Back to the form",
  },
};

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var navigation = request.mode === "navigate";
  if (navigation && FORM_PATH.test(url.pathname)) {
    if (request.method === "POST") event.respondWith(sendOrKeep(request, url));
    else if (request.method === "GET") event.respondWith(fromNetworkFirst(request, !url.search));
  } else if (navigation && request.method === "GET" && RECEIPT_PATH.test(url.pathname)) {
    var from = formCode(request.referrer);
    if (!from) return;
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) event.waitUntil(note("/__rakor__/receipt-seen/" + from, { at: Date.now() }));
      return response;
    }));
  } else if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromNetworkFirst(request, true));
  }
});

// The meeting code of a form's address (same origin), or "".
function formCode(address) {
  try {
    var url = new URL(address);
    if (url.origin !== self.location.origin || !FORM_PATH.test(url.pathname)) return "";
    var path = url.pathname.replace(/\/+$/, "");
    return path.slice(path.lastIndexOf("/") + 1);
  } catch (e) { return ""; }
}

function fromNetworkFirst(request, keep) {
  return fetch(request).then(function (response) {
    if (keep && response.ok) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        // One copy per address: a static file's older versions (?v=...) go.
        var path = new URL(request.url).pathname;
        return cache.keys().then(function (kept) {
          return Promise.all(kept.filter(function (old) {
            return new URL(old.url).pathname === path && old.url !== request.url;
          }).map(function (old) { return cache.delete(old); }));
        }).then(function () { return cache.put(request, copy); });
      });
    }
    return response;
  }, function () {
    return caches.match(request, { ignoreVary: true }).then(function (kept) {
      return kept || Response.error();
    });
  });
}

function sendOrKeep(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    var path = url.pathname.replace(/\/+$/, "");
    var code = path.slice(path.lastIndexOf("/") + 1);
    return copy.text().then(function (body) {
      return note("/__rakor__/outbox/" + code, { saved: Date.now(), action: url.origin + path, body: body });
    }).then(function () {
      return caches.match(url.origin + path, { ignoreVary: true });
    }).then(function (kept) {
      if (kept) return Response.redirect(url.origin + path, 303);
      return keptPage(request.referrer || url.href);
    });
  });
}

// The worker's own page: the send is kept on this phone. Self-contained, no script.
function keptPage(back) {
  return caches.open(OUTBOX).then(function (cache) {
    return cache.match("/__rakor__/lang");
  }).then(function (hit) {
    return hit ? hit.json() : null;
  }).catch(function () { return null; }).then(function (seen) {
    var lang = seen && /^en/.test(seen.lang) ? "en" : "id";
    var words = KEPT[lang];
    var html = "<!doctype html><html lang=\"" + lang + "\"><head><meta charset=\"utf-8\">" +
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
      "<title>" + escaped(words.title) + "</title></head><body><main>" +
      "<h1>" + escaped(words.title) + "</h1><p id=\"kept-note\">" + escaped(words.text) + "</p>" +
      "<p><a href=\"" + escaped(back) + "\">" + escaped(words.back) + "</a></p>" +
      "</main></body></html>";
    return new Response(html, {
      status: 200,
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'",
      },
    });
  });
}

function escaped(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function note(key, value) {
  return caches.open(OUTBOX).then(function (cache) {
    return cache.put(key, new Response(JSON.stringify(value), {
      headers: { "Content-Type": "application/json" },
    }));
  });
}
