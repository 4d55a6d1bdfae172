// The review page's keys and in-place decisions. Loaded from this server only (see the CSP);
// every change is a POST carrying the page's CSRF token, and a card shows a decision only after
// the server has committed it.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf"]').getAttribute("content");
  var status = document.getElementById("status");
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.card"));
  var current = -1;

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "bad" : "ok";
  }

  function select(index) {
    if (!cards.length) { return; }
    index = Math.max(0, Math.min(cards.length - 1, index));
    if (current >= 0) { cards[current].classList.remove("current"); }
    current = index;
    cards[current].classList.add("current");
    cards[current].focus({ preventScroll: true });
    cards[current].scrollIntoView({ block: "nearest" });
  }

  function show(states) {
    states.forEach(function (s) {
      var card = document.getElementById("c" + s.key);
      if (card) {
        card.querySelector(".state").textContent = s.text;
        card.setAttribute("data-decision", s.decision ? "decided" : "");
      }
    });
  }

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf", csrf);
    say("saving…", false);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || response.statusText); }
        show(data.states);
        say(data.states.length ? "saved" : "nothing to undo", false);
        return data;
      });
    }).catch(function (error) {
      say("not saved: " + error.message, true);
      throw error;
    });
  }

  function decide(op, advance) {
    if (current < 0) { select(0); }
    if (current < 0) { return; }
    post("/decide", { key: cards[current].getAttribute("data-key"), op: op }).then(function () {
      if (advance) { select(current + 1); }
    }, function () {});
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("js-post")) { return; }
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    if (event.submitter && event.submitter.name) { fields[event.submitter.name] = event.submitter.value; }
    var card = form.closest("article.card");
    if (card) { select(cards.indexOf(card)); }
    post(form.getAttribute("action"), fields).catch(function () {});
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var key = event.key;
    if (key === "j") { select(current + 1); }
    else if (key === "k") { select(current - 1); }
    else if (key === "a") { decide("approve", true); }
    else if (key === "r") { decide("remove", true); }
    else if (key === "s") { decide("toggle:spam", false); }
    else if (key === "i") { decide("toggle:incitement", false); }
    else if (key === "u") { post("/undo", {}).catch(function () {}); }
    else if (/^[1-9]$/.test(key)) {
      if (current < 0) { select(0); }
      var stances = current >= 0 ? cards[current].getAttribute("data-stances").split(" ") : [];
      var stance = stances[Number(key) - 1];
      if (!stance) { return; }
      decide("stance:" + stance, false);
    } else { return; }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var card = event.target.closest && event.target.closest("article.card");
    if (card && cards.indexOf(card) >= 0) { select(cards.indexOf(card)); }
  });

  if (cards.length) { select(0); }
}());
