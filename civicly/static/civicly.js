/* Civicly works without this file; it moves keyboard and screen-reader focus to the list of errors, fills the reply
   box with the chosen template at once (without it, the "Use template" button does the same by a round trip) and, on
   the submission form, refuses too many or too large photos before they are sent over a slow connection (the server
   checks again) and offers to add the phone's position when the citizen asks (rounded again on the server). */
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
  var chooser = document.getElementById("photos");
  var check = document.getElementById("photos-check");
  if (chooser && check) {
    chooser.addEventListener("change", function () {
      var problems = [];
      var files = Array.prototype.slice.call(chooser.files);
      if (files.length > Number(check.getAttribute("data-max-files"))) {
        problems.push(check.getAttribute("data-too-many"));
      }
      files.forEach(function (file) {
        if (file.size > Number(check.getAttribute("data-max-bytes"))) {
          problems.push(file.name + ": " + check.getAttribute("data-too-large"));
        }
      });
      check.textContent = problems.join(" ");
      check.hidden = problems.length === 0;
      if (problems.length) {
        chooser.value = "";
      }
    });
  }
  var box = document.getElementById("position");
  var button = document.getElementById("share-position");
  if (!box || !button || !navigator.geolocation) {
    return;
  }
  var status = document.getElementById("position-status");
  box.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (where) {
      document.getElementById("latitude").value = where.coords.latitude.toFixed(3);
      document.getElementById("longitude").value = where.coords.longitude.toFixed(3);
      status.textContent = button.getAttribute("data-done");
    }, function () {
      status.textContent = button.getAttribute("data-failed");
    }, {enableHighAccuracy: false, timeout: 15000, maximumAge: 600000});
  });
}());
