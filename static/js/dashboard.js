// Dashboard token handling: the access token lives only in this module's memory.
// It is obtained from the CSRF-protected /dashboard/token route (backed by the login
// session), renewed through the refresh cookie before it expires, attached to htmx and
// fetch calls as a bearer header, and never written to a URL or to storage.
(() => {
  "use strict";

  const csrfToken = () =>
    JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";

  // Every word the dashboard writes comes from the page, already in the reader's language.
  const WORDS = (() => {
    const source = document.getElementById("dashboard-words");
    try {
      return source ? JSON.parse(source.textContent) : {};
    } catch (error) {
      return {};
    }
  })();

  let accessToken = null;
  let renewTimer = null;

  function remember(body) {
    accessToken = body.access_token;
    clearTimeout(renewTimer);
    // Renew a minute before expiry; the refresh cookie rotates on each use.
    renewTimer = setTimeout(renew, Math.max(body.expires_in - 60, 5) * 1000);
  }

  async function requestToken() {
    const response = await fetch("/dashboard/token", {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrftoken": csrfToken() },
    });
    if (!response.ok) throw new Error(`token request failed: ${response.status}`);
    remember(await response.json());
  }

  async function refreshToken() {
    const response = await fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" });
    if (response.ok) {
      remember(await response.json());
    } else {
      await requestToken();
    }
  }

  // Callers that need a token at the same moment share one request. Across tabs, the
  // refresh cookie is shared and rotates on use: two tabs refreshing at once would look
  // like a replayed token and end the session, so tabs take turns with a Web Lock.
  let pending = null;
  function shared(request) {
    const exclusive = () =>
      navigator.locks ? navigator.locks.request("carevia-dashboard-token", request) : request();
    if (!pending) pending = exclusive().finally(() => { pending = null; });
    return pending;
  }
  const obtain = () => shared(requestToken);
  const renew = () => shared(refreshToken);

  async function api(path, options = {}) {
    if (!accessToken) await obtain();
    const send = () =>
      fetch(path, {
        ...options,
        headers: { ...(options.headers || {}), Authorization: `Bearer ${accessToken}` },
      });
    let response = await send();
    if (response.status === 401) {
      await renew();
      response = await send();
    }
    return response;
  }

  document.addEventListener("htmx:configRequest", (event) => {
    if (accessToken && event.detail.path.startsWith("/api/")) {
      event.detail.headers.Authorization = `Bearer ${accessToken}`;
    }
  });

  async function showIdentity() {
    const target = document.getElementById("api-identity");
    if (!target) return;
    try {
      const response = await api("/api/v1/me");
      const me = await response.json();
      const role = WORDS[`role.${me.role}`] || me.role;
      target.textContent = say("signed_in", { ...me, role });
    } catch (error) {
      target.textContent = say("no_connection", {});
    }
  }

  // ---- Live updates ----------------------------------------------------------------------
  // EventSource cannot send an Authorization header, so the stream is opened with a
  // short-lived single-use ticket. After a drop, a new ticket and the last id seen resume it.
  // The words come from the page, in the reader's language; an event carries only codes.
  // `{code}`-style holes are filled from the event's data.
  function say(key, values) {
    const text = WORDS[key] || "";
    return text.replace(/\{(\w+)\}/g, (hole, name) => String(values[name] ?? ""));
  }
  const AUTHOR_WORDS = { admin: "message.created.admin", caregiver: "message.created.caregiver" };
  const TOAST_TEXT = {
    "booking.paid": (d) => say("booking.paid", d),
    "booking.updated": (d) => say("booking.updated", d),
    "booking.cancelled": (d) => say("booking.cancelled", d),
    "payment.refunded": (d) => say("payment.refunded", d),
    "payment.disputed": (d) => say("payment.disputed", d),
    "payment.refund_failed": (d) => say("payment.refund_failed", d),
    "review.created": (d) => say("review.created", d),
    "message.created": (d) => say(AUTHOR_WORDS[d.author_role] || "message.created.patient", d),
    "visit.assigned": (d) => say("visit.assigned", d),
    "visit.unassigned": (d) => say("visit.unassigned", d),
    "visit.moved": (d) => say("visit.moved", d),
    "booking.move_requested": (d) => say("booking.move_requested", d),
  };
  let lastEventId = 0;
  let stream = null;

  // After any failure the stream is reopened after a random wait below a ceiling that
  // doubles up to 30 s ("full jitter"), so that dashboards dropped together (a deploy, a
  // network blip, a server asking them to come back later) do not all return at once.
  // The ceiling falls back only once a stream has proved itself: an event, or 10 s open.
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 30000;
  const STABLE_MS = 10000;
  let retryCeiling = RETRY_FIRST_MS;
  let stableTimer = null;

  function streamWorks() {
    clearTimeout(stableTimer);
    retryCeiling = RETRY_FIRST_MS;
  }

  function reconnectLater() {
    clearTimeout(stableTimer);
    document.body.dataset.live = "reconnecting";
    const wait = 250 + Math.random() * retryCeiling;
    retryCeiling = Math.min(retryCeiling * 2, RETRY_MAX_MS);
    setTimeout(openStream, wait);
  }

  function toast(text) {
    const region = document.getElementById("toasts");
    if (!region) return;
    const item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "status");
    item.textContent = text;
    region.appendChild(item);
    setTimeout(() => item.remove(), 8000);
  }

  // The rest of the dashboard shows Dhaka wall-clock time (where the care happens), so the
  // feed does too, whatever time zone the browser is in.
  const DHAKA_CLOCK = new Intl.DateTimeFormat(document.documentElement.lang === "bn" ? "bn-BD" : "en-US", {
    timeZone: "Asia/Dhaka",
    hour: "2-digit",
    minute: "2-digit",
    hour12: true,
  });

  function addToFeed(text, createdAt) {
    const feed = document.getElementById("live-feed");
    if (!feed) return;
    let list = feed.querySelector("ol");
    if (!list) {
      list = document.createElement("ol");
      list.className = "live-feed-list";
      feed.appendChild(list);
    }
    const item = document.createElement("li");
    const when = document.createElement("time");
    const stamp = createdAt ? new Date(createdAt) : new Date();
    const at = Number.isNaN(stamp.getTime()) ? new Date() : stamp;
    when.dateTime = at.toISOString().replace(/\.\d+Z$/, "Z");
    when.textContent = DHAKA_CLOCK.format(at).toLowerCase();
    item.append(when, " ", text);
    list.prepend(item);
    while (list.children.length > 20) list.lastElementChild.remove();
  }

  function onEvent(message) {
    streamWorks();
    const id = Number(message.lastEventId || 0);
    if (id && id <= lastEventId) return;
    lastEventId = id || lastEventId;
    let data = {};
    try {
      data = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    // The open thread of that booking reloads its messages (the notice never carries the text),
    // and the message then shows in place, so a toast about it would only repeat it.
    const openThreads = message.type === "message.created"
      ? [...document.querySelectorAll("[data-thread]")].filter((list) => list.dataset.thread === data.code)
      : [];
    openThreads.forEach((list) => list.dispatchEvent(new CustomEvent("carevia:message")));
    const describe = TOAST_TEXT[message.type];
    if (describe) {
      if (!openThreads.length) toast(describe(data));
      addToFeed(describe(data), data.created_at);
    }
    // Regions that listen with hx-trigger="carevia:booking from:body" refresh themselves.
    document.body.dispatchEvent(new CustomEvent("carevia:booking", { detail: { type: message.type, ...data } }));
  }

  async function openStream() {
    try {
      const response = await api("/api/v1/events/ticket", { method: "POST" });
      if (!response.ok) throw new Error(`ticket: ${response.status}`);
      const { url } = await response.json();
      const resume = lastEventId ? `&last_event_id=${lastEventId}` : "";
      stream = new EventSource(url + resume);
      stream.onopen = () => {
        document.body.dataset.live = "connected";
        clearTimeout(stableTimer);
        stableTimer = setTimeout(streamWorks, STABLE_MS);
      };
      Object.keys(TOAST_TEXT).forEach((type) => stream.addEventListener(type, onEvent));
      stream.onerror = () => {
        // The ticket is spent; reconnect ourselves with a fresh one.
        stream.close();
        reconnectLater();
      };
    } catch (error) {
      reconnectLater();
    }
  }

  window.carevia = Object.freeze({ api });
  document.addEventListener("DOMContentLoaded", () => {
    showIdentity();
    if (document.querySelector("[data-dashboard]")) openStream();
  });
})();
