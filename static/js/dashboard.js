// Dashboard token handling: the access token lives only in this module's memory.
// It is obtained from the CSRF-protected /dashboard/token route (backed by the login
// session), renewed through the refresh cookie before it expires, attached to htmx and
// fetch calls as a bearer header, and never written to a URL or to storage.
(() => {
  "use strict";

  const csrfToken = () =>
    JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";

  let accessToken = null;
  let renewTimer = null;

  function remember(body) {
    accessToken = body.access_token;
    clearTimeout(renewTimer);
    // Renew a minute before expiry; the refresh cookie rotates on each use.
    renewTimer = setTimeout(renew, Math.max(body.expires_in - 60, 5) * 1000);
  }

  async function obtain() {
    const response = await fetch("/dashboard/token", {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrftoken": csrfToken() },
    });
    if (!response.ok) throw new Error(`token request failed: ${response.status}`);
    remember(await response.json());
  }

  async function renew() {
    const response = await fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" });
    if (response.ok) {
      remember(await response.json());
    } else {
      await obtain();
    }
  }

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
      target.textContent = `Signed in to the API as ${me.first_name} ${me.last_name} (${me.role}).`;
    } catch (error) {
      target.textContent = "The dashboard could not connect. Please reload the page.";
    }
  }

  window.carevia = Object.freeze({ api });
  document.addEventListener("DOMContentLoaded", showIdentity);
})();
