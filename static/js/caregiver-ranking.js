// The caregiver cards on the booking form say who is free at the visit's time, so they are
// ranked again when its date, start time, length, place or person changes. A filter in
// `hx-trigger` would say the same, but it needs eval, which the page's policy forbids.
// Without script, the form's "Show free times and price" button ranks them on the server.
(function () {
  "use strict";
  const RANKED_BY = ["date", "start_time", "duration_type", "quantity", "division", "recipient"];
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (!(field instanceof Element) || !field.closest("#booking-form")) return;
    if (!RANKED_BY.includes(field.getAttribute("name"))) return;
    const cards = document.getElementById("caregiver-choices");
    if (cards && window.htmx) window.htmx.trigger(cards, "visit-time-changed");
  });
})();
