// MSP Operations dashboard: live updates over Server-Sent Events; no framework, no build step.
(function () {
  "use strict";

  const indicator = document.querySelector("[data-live-indicator]");
  const rows = document.querySelector("[data-live-rows]");
  const content = document.getElementById("content");

  function setLive(on) {
    if (indicator) {
      indicator.classList.toggle("on", on);
      indicator.querySelector("span").textContent = on ? "Live" : "Reconnecting…";
    }
  }

  // Clicking a row opens what it stands for, unless a link or button inside was clicked.
  document.addEventListener("click", function (event) {
    const row = event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, button, form, summary, input")) {
      window.location.href = row.dataset.href;
    }
  });

  const source = document.body.dataset.stream;
  if (!source || !window.EventSource) {
    return;
  }
  const stream = new EventSource(source);
  stream.addEventListener("open", function () { setLive(true); });
  stream.addEventListener("error", function () { setLive(false); });

  let pending = null;
  function refresh() {
    // Leave the page alone while someone is typing into one of its forms.
    const active = document.activeElement;
    if (active && active.closest("form") && /INPUT|SELECT|TEXTAREA/.test(active.tagName)) {
      pending = setTimeout(refresh, 1500);
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { "x-live-refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || !content) { return; }
        const next = new DOMParser().parseFromString(html, "text/html");
        const fresh = next.getElementById("content");
        const today = next.querySelector("[data-today]");
        if (fresh) { content.innerHTML = fresh.innerHTML; }
        const current = document.querySelector("[data-today]");
        if (today && current) { current.innerHTML = today.innerHTML; }
      })
      .catch(function () { /* the next event tries again */ });
  }

  stream.addEventListener("observed", function (message) {
    setLive(true);
    const event = JSON.parse(message.data);
    if (rows) {
      rows.insertAdjacentHTML("afterbegin", event.html);
      const empty = document.querySelector("[data-empty]");
      if (empty) { empty.remove(); }
      while (rows.children.length > 300) { rows.lastElementChild.remove(); }
      return;
    }
    if (document.body.dataset.refresh === "on") {
      clearTimeout(pending);
      pending = setTimeout(refresh, 700);
    }
  });
})();
