/* Civicly works without this file; it moves keyboard and screen-reader focus to the list of errors, and fills the
   reply box with the chosen template at once (without it, the "Use template" button does the same by a round trip). */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var pickers = document.querySelectorAll("select[data-fills]");
  Array.prototype.forEach.call(pickers, function (picker) {
    picker.addEventListener("change", function () {
      var option = picker.options[picker.selectedIndex];
      var box = document.getElementById(picker.getAttribute("data-fills"));
      if (!box || !option || !option.hasAttribute("data-text")) {
        return;
      }
      box.value = option.getAttribute("data-text");
      box.setAttribute("lang", option.getAttribute("data-lang"));
      box.focus();
    });
  });
}());
