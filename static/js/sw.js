// Rakor's service worker, served at /sw.js (app/submissions/offline.py) so that its scope
// covers the form (/m/<code>) and the receipt (/receipt/<code>). Public Web APIs only.
//
// - The form page and the static files: from the network, a copy kept for a reload
//   without network (a personal invitation link's page, with its query, is not kept).
// - A send of the form that finds no network: its body is kept in the Cache API under
//   /__rakor__/outbox/<code>, and the browser is sent back to the (kept) form page, whose
//   script (static/js/form.js) takes it into its queue and sends it when the network
//   returns. The form's client token and CSRF token make a repeat harmless, and the
//   server records the same content once.
// - A receipt page opened: the time is noted, so that the form knows its draft was sent.
"use strict";

var PAGES = "rakor-pages";
var OUTBOX = "rakor-outbox";
var FORM_PATH = /^\/m\/[^/]+\/?$/;

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
  } else if (navigation && request.method === "GET" && url.pathname.indexOf("/receipt/") === 0) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) event.waitUntil(note("/__rakor__/receipt-seen", { at: Date.now() }));
      return response;
    }));
  } else if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromNetworkFirst(request, true));
  }
});

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
      return Response.redirect(url.origin + path, 303);
    });
  });
}

function note(key, value) {
  return caches.open(OUTBOX).then(function (cache) {
    return cache.put(key, new Response(JSON.stringify(value), {
      headers: { "Content-Type": "application/json" },
    }));
  });
}
