/* The header: marks the page as scripted (so the narrow-screen menu may fold behind its
   button) and closes the header's <details> menus on Escape and when focus or a click
   leaves them. Without this script every menu still opens and closes by keyboard. */
document.documentElement.classList.add("js");

(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll("details.nav-menu[open]");
  }

  function closeMenus(except) {
    openMenus().forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }

  function menuOf(node) {
    return node && node.closest ? node.closest("details.nav-menu") : null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = menuOf(event.target);
    if (menu && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
      event.preventDefault();
      return;
    }
    if (openMenus().length) {
      closeMenus(null);
      return;
    }
    // The folded main menu closes too, and focus goes back to its button.
    var collapse = document.getElementById("hoofdmenu");
    if (collapse && collapse.classList.contains("show") && window.bootstrap &&
        collapse.contains(document.activeElement)) {
      window.bootstrap.Collapse.getOrCreateInstance(collapse).hide();
      document.querySelector('[aria-controls="hoofdmenu"]').focus();
    }
  });

  document.addEventListener("click", function (event) {
    closeMenus(menuOf(event.target));
  });

  document.addEventListener("focusin", function (event) {
    closeMenus(menuOf(event.target));
  });

  // Opening one menu closes the others ("toggle" does not bubble: listen while capturing).
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details.nav-menu") && event.target.open) {
      closeMenus(event.target);
    }
  }, true);
})();
