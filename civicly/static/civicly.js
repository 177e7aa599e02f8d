/* Civicly works without this file; it only moves keyboard and screen-reader focus to the list of errors. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
}());
