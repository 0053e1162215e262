// The booking calendar's keyboard: arrow keys, Home and End move between days (a roving
// tabindex, as the ARIA grid pattern asks); Enter follows the day's link, which htmx swaps in.
// Moving past the first or last day of the month opens the month before or after.
(function () {
  "use strict";
  var pendingDay = null;

  function days(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll("[data-day]"));
  }

  function focusDay(grid, target) {
    days(grid).forEach(function (day) {
      day.tabIndex = day === target ? 0 : -1;
    });
    target.focus();
  }

  function shifted(iso, step) {
    var day = new Date(iso + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + step);
    return day.toISOString().slice(0, 10);
  }

  var STEPS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

  document.addEventListener("keydown", function (event) {
    var current = event.target.closest && event.target.closest("[role='grid'] [data-day]");
    if (!current) {
      return;
    }
    var grid = current.closest("[role='grid']");
    var all = days(grid);
    var target = null;
    if (event.key in STEPS) {
      var wanted = shifted(current.dataset.day, STEPS[event.key]);
      target = grid.querySelector("[data-day='" + wanted + "']");
      if (!target) {
        var nav = document.querySelector("[data-month-nav='" + (STEPS[event.key] < 0 ? "prev" : "next") + "']");
        if (nav) {
          pendingDay = wanted;
          nav.click();
        }
        event.preventDefault();
        return;
      }
    } else if (event.key === "Home") {
      target = current.closest("tr").querySelector("[data-day]");
    } else if (event.key === "End") {
      var row = current.closest("tr").querySelectorAll("[data-day]");
      target = row[row.length - 1];
    } else if (event.key === " " && current.tagName === "A") {
      current.click();
    } else {
      return;
    }
    event.preventDefault();
    if (target && all.indexOf(target) >= 0) {
      focusDay(grid, target);
    }
  });

  // A day picked by click or Enter remembers itself, so focus comes back to it after the swap.
  document.addEventListener("click", function (event) {
    var day = event.target.closest && event.target.closest("[role='grid'] a[data-day]");
    if (day) {
      pendingDay = day.dataset.day;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!pendingDay || !event.target.querySelector) {
      return;
    }
    var grid = document.querySelector("#times [role='grid']");
    var target = grid && grid.querySelector("[data-day='" + pendingDay + "']");
    if (!target && grid) {
      var first = days(grid);
      target = first.length ? first[pendingDay < first[0].dataset.day ? 0 : first.length - 1] : null;
    }
    pendingDay = null;
    if (target) {
      focusDay(grid, target);
    }
  });
})();
