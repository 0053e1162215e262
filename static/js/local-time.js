// Times are written in Dhaka time, where the care happens. A viewer elsewhere (a son in
// London, a daughter in Toronto) also sees their own time beside each one. Without script,
// or in Dhaka's zone, the page stays as the server wrote it.
(function () {
  "use strict";
  const CARE_ZONE = "Asia/Dhaka";
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!own || own === CARE_ZONE) return;
  // The words come from the page in the reader's language (a JSON block with an "own_time"
  // entry); a page without them shows the time and the place alone.
  const source = document.getElementById("page-words");
  let pattern = "{time}, {place}";
  try {
    pattern = (source && JSON.parse(source.textContent).own_time) || pattern;
  } catch (error) {
    // Unreadable words leave the plain pattern.
  }
  const format = new Intl.DateTimeFormat(document.documentElement.lang === "bn" ? "bn-BD" : undefined, {
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
      const words = pattern.replace("{time}", format.format(at)).replace("{place}", place);
      beside.textContent = ` (${words})`;
      element.after(beside);
    });
  }

  document.addEventListener("DOMContentLoaded", () => addOwnTimes(document));
  document.addEventListener("htmx:afterSettle", (event) => addOwnTimes(event.target));
})();
