// Times are written in Dhaka time, where the care happens. A viewer elsewhere (a son in
// London, a daughter in Toronto) also sees their own time beside each one. Without script,
// or in Dhaka's zone, the page stays as the server wrote it.
(function () {
  "use strict";
  const CARE_ZONE = "Asia/Dhaka";
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!own || own === CARE_ZONE) return;
  const format = new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "numeric",
    minute: "2-digit",
    timeZone: own,
  });
  const place = own.split("/").pop().replace(/_/g, " ");

  function addOwnTimes(root) {
    root.querySelectorAll("time[datetime*='T']:not([data-own-time])").forEach((element) => {
      const at = new Date(element.getAttribute("datetime"));
      if (Number.isNaN(at.getTime())) return;
      element.setAttribute("data-own-time", "");
      const beside = document.createElement("span");
      beside.className = "own-time muted";
      beside.textContent = ` (${format.format(at)} your time, ${place})`;
      element.after(beside);
    });
  }

  document.addEventListener("DOMContentLoaded", () => addOwnTimes(document));
  document.addEventListener("htmx:afterSettle", (event) => addOwnTimes(event.target));
})();
