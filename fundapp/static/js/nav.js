// The main navigation: the menu button on narrow screens, one open group at a time, Escape and outside clicks
// close. Deferred, so it never holds up the page; without JavaScript a <noscript> style keeps the menu expanded on
// narrow screens and each group still opens (they are <details> elements).
(function () {
  "use strict";

  function setUp() {
    var nav = document.querySelector(".mainnav");
    if (!nav) { return; }
    var toggle = nav.querySelector(".menu-toggle");
    var groups = Array.prototype.slice.call(nav.querySelectorAll(".nav-group details"));

    function closeGroups(except) {
      groups.forEach(function (group) { if (group !== except) { group.open = false; } });
    }
    function setMenu(open) {
      if (!toggle) { return; }
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    }

    groups.forEach(function (group) {
      group.addEventListener("toggle", function () { if (group.open) { closeGroups(group); } });
    });
    if (toggle) {
      toggle.addEventListener("click", function () {
        setMenu(toggle.getAttribute("aria-expanded") !== "true");
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = groups.filter(function (group) { return group.open; })[0];
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      } else if (nav.classList.contains("open")) {
        setMenu(false);
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!nav.contains(event.target)) { closeGroups(null); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
