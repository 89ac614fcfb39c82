// The plan builder after htmx swaps part of it: focus moves to what changed and the polite live region (in the page
// from the start, outside what is swapped) says what happened and the money left. The server says both, in a hidden
// element `data-builder-news` inside the part it sent; each is used once.
(function () {
  "use strict";
  function tellNews() {
    var news = document.querySelector("[data-builder-news]");
    if (!news) {
      return;
    }
    news.removeAttribute("data-builder-news");
    var selector = news.getAttribute("data-focus");
    var target = selector ? document.querySelector(selector) : null;
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
    var region = document.getElementById("builder-live");
    if (region) {
      // Emptied first, so the same words said twice are announced twice.
      region.textContent = "";
      window.setTimeout(function () {
        region.textContent = news.getAttribute("data-announce") || "";
      }, 100);
    }
  }
  document.addEventListener("htmx:afterSettle", tellNews);
})();
