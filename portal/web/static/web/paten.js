/* Behaviour every page may use, kept out of the HTML so the pages run under a Content-Security-Policy
   without inline scripts: a button marked data-print prints the page. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
