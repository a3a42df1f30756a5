// Filters the FAQs on /ask as the visitor types. Progressive enhancement: without this file every
// question is visible and the box submits to /search like any other search form.
(function () {
  "use strict";
  var input = document.querySelector("[data-faq-filter]");
  if (!input) { return; }
  var faqs = Array.prototype.slice.call(document.querySelectorAll("[data-faq]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-faq-group]"));
  var status = document.getElementById("faq-filter-status");
  var empty = document.getElementById("faq-empty");
  var texts = faqs.map(function (el) { return el.textContent.toLowerCase(); });

  function words(value) {
    return value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function apply() {
    var wanted = words(input.value);
    var shown = 0;
    faqs.forEach(function (el, i) {
      var match = wanted.every(function (w) { return texts[i].indexOf(w) !== -1; });
      el.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-faq]:not([hidden])");
    });
    if (empty) { empty.hidden = shown !== 0; }
    if (status) {
      status.textContent = wanted.length === 0 ? "" :
        shown + (shown === 1 ? " question matches." : " questions match.");
    }
  }

  input.addEventListener("input", apply);
  // Enter still submits to the full-site search, which also covers the guides.
})();

// A link such as /ask#faq-12 (from search results) opens that question.
(function () {
  "use strict";
  function openTarget() {
    if (!location.hash) { return; }
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
})();
