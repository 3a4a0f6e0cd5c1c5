// Small touches on top of pages that work without JavaScript.
(function () {
  "use strict";

  // "/" jumps to the search box, as on many sites; typing in a field is left alone.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // On a phone the filters start folded so the results come first; wide screens keep them open.
  var filters = document.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 56rem)").matches) {
    filters.open = false;
  }

  // Arriving at a passage (#doc-N): centre it rather than pinning it under the top edge.
  if (location.hash.indexOf("#doc-") === 0) {
    var passage = document.getElementById(location.hash.slice(1));
    if (passage) {
      window.requestAnimationFrame(function () {
        passage.scrollIntoView({ block: "center" });
      });
    }
  }
})();
