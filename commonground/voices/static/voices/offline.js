/* The public report form, offline (docs/voices.md, "Offline form"; ADR 0023).
 *
 * Without this script the form is an ordinary page that posts and shows a receipt. With it:
 * - the answers being written are kept as a draft on the device (localStorage) and come back if
 *   the page is closed or the phone restarts;
 * - "Send" puts the report in an outbox on the device, with a key made on the device
 *   (crypto.randomUUID), then sends it as soon as there is a connection, and again after any
 *   failure; the server stores one report per key, so retries never make a second report;
 * - the outbox lists each report with its state and, once received, its receipt code; a sent
 *   report's answers are deleted from the device at once, only its receipt code stays;
 * - "Delete everything kept on this phone" removes the draft, the outbox and the receipts.
 * A service worker (form-sw.js) keeps the page and its files so the form opens with no network.
 */
(function () {
  "use strict";

  var box = document.getElementById("voices-outbox");
  var form = document.getElementById("voices-report-form");
  if (!box || !form || !window.localStorage || !window.fetch || !window.FormData) { return; }

  var STORE = "cg-voices:" + box.dataset.scope;
  var DRAFT = STORE + ":draft";
  var text = box.dataset;
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(STORE, JSON.stringify(items)); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));  // the same UUID v4, by hand
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function answers() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "client_key") { pairs.push([name, String(value)]); }
    });
    return pairs;
  }

  /* The draft: the answers being written, kept on every change. */
  function keepDraft() { localStorage.setItem(DRAFT, JSON.stringify(answers())); }
  function restoreDraft() {
    var pairs;
    try { pairs = JSON.parse(localStorage.getItem(DRAFT) || "[]"); } catch (e) { pairs = []; }
    fillForm(pairs);
  }
  function fillForm(pairs) {
    pairs.forEach(function (pair) {
      var fields = form.querySelectorAll("[name='" + pair[0].replace(/'/g, "") + "']");
      Array.prototype.forEach.call(fields, function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.value === pair[1]) { field.checked = true; }
        } else { field.value = pair[1]; }
      });
    });
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content) { node.textContent = content; }
    return node;
  }

  function render() {
    var items = load();
    var list = document.getElementById("voices-outbox-list");
    list.textContent = "";
    box.hidden = items.length === 0 && !localStorage.getItem(DRAFT);
    document.getElementById("voices-outbox-empty").hidden = items.length !== 0;
    items.forEach(function (item) {
      var li = el("li", "voices-outbox-item");
      li.dataset.state = item.state;
      li.dataset.key = item.key;
      li.appendChild(el("span", "voices-outbox-state", text["state" + item.state.charAt(0).toUpperCase() + item.state.slice(1)]));
      li.appendChild(el("span", "voices-outbox-when", new Date(item.made).toLocaleString(document.documentElement.lang)));
      if (item.receipt) {
        li.appendChild(el("span", "", text.receiptLabel));
        li.appendChild(el("strong", "voices-receipt voices-outbox-receipt", item.receipt));
      }
      if (item.message) { li.appendChild(el("span", "voices-error", item.message)); }
      if (item.state === "refused") { li.appendChild(button("correct", text.correct, item.key)); }
      if (item.state === "sent" || item.state === "refused") {
        li.appendChild(button("remove", text.remove, item.key));
      }
      list.appendChild(li);
    });
  }

  function button(action, label, key) {
    var node = el("button", "voices-outbox-action", label);
    node.type = "button";
    node.dataset.action = action;
    node.dataset.key = key;
    return node;
  }

  /* "Correct it" puts a refused report back in the form; "Remove" forgets one row. */
  function act(event) {
    var target = event.target;
    if (!target.dataset || !target.dataset.action) { return; }
    var items = load();
    var chosen = items.filter(function (item) { return item.key === target.dataset.key; })[0];
    save(items.filter(function (item) { return item.key !== target.dataset.key; }));
    if (chosen && target.dataset.action === "correct") {
      form.reset();
      fillForm(chosen.answers);
      keepDraft();
      form.scrollIntoView();
    }
    render();
  }

  function update(key, changes) {
    var items = load();
    items.forEach(function (item) {
      if (item.key === key) { Object.keys(changes).forEach(function (k) { item[k] = changes[k]; }); }
    });
    save(items);
    render();
  }

  function token() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* A fresh CSRF token (the cached page's may be old): from the form page, over the network. */
  function refreshToken() {
    return fetch(box.dataset.scope, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("input[name=csrfmiddlewaretoken]");
        if (fresh) { form.querySelector("input[name=csrfmiddlewaretoken]").value = fresh.value; }
      });
  }

  function post(item) {
    var body = new URLSearchParams();
    item.answers.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("client_key", item.key);
    body.append("csrfmiddlewaretoken", token());
    return fetch(box.dataset.send, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token() }
    });
  }

  function sendOne(item, retried) {
    return post(item).then(function (response) {
      if (response.status === 403 && !retried) {
        return refreshToken().then(function () { return sendOne(item, true); });
      }
      return response.json().then(function (answer) {
        if (response.ok) {  // received: keep the receipt only, forget the answers
          update(item.key, { state: "sent", receipt: answer.receipt, answers: [], message: "" });
        } else if (response.status === 400 || response.status === 409) {
          var messages = answer.errors ? Object.keys(answer.errors).map(function (k) { return answer.errors[k].join(" "); }) : [answer.message];
          update(item.key, { state: "refused", message: messages.join(" ") });
        } else {
          update(item.key, { state: "waiting", message: answer.message || "" });
        }
      });
    }).catch(function () { update(item.key, { state: "waiting" }); });
  }

  function sendAll() {
    if (sending || navigator.onLine === false) { return Promise.resolve(); }
    var waiting = load().filter(function (item) { return item.state === "waiting" || item.state === "sending"; });
    if (!waiting.length) { return Promise.resolve(); }
    sending = true;
    return waiting.reduce(function (previous, item) {
      return previous.then(function () { update(item.key, { state: "sending" }); return sendOne(item, false); });
    }, Promise.resolve()).then(function () { sending = false; }, function () { sending = false; });
  }

  form.addEventListener("input", keepDraft);
  form.addEventListener("change", keepDraft);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    form.noValidate = false;
    var valid = form.reportValidity();
    form.noValidate = true;
    if (!valid) { return; }
    var items = load();
    items.push({ key: newKey(), made: Date.now(), state: "waiting", answers: answers(), receipt: "", message: "" });
    save(items);
    localStorage.removeItem(DRAFT);
    form.reset();
    render();
    box.scrollIntoView();
    sendAll();
  });

  document.getElementById("voices-outbox-delete").addEventListener("click", function () {
    if (!window.confirm(text.confirmDelete)) { return; }
    localStorage.removeItem(STORE);
    localStorage.removeItem(DRAFT);
    form.reset();
    render();
  });

  document.getElementById("voices-outbox-list").addEventListener("click", act);
  window.addEventListener("online", sendAll);
  window.setInterval(sendAll, 30000);  // "online" is not always announced: try again now and then
  restoreDraft();
  render();
  sendAll();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(box.dataset.worker, { scope: box.dataset.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var files = Array.prototype.map.call(
        document.querySelectorAll("link[rel=stylesheet][href], script[src]"),
        function (node) { return node.href || node.src; }
      );
      var channel = new MessageChannel();
      channel.port1.onmessage = function () {  // the page and its files are kept: say so
        box.dataset.offline = "ready";
        document.getElementById("voices-offline-ready").hidden = false;
      };
      registration.active.postMessage({ cache: files }, [channel.port2]);
    }).catch(function () { /* no worker (not HTTPS?): the form still works while online */ });
  }
}());
