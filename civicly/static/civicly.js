/* Civicly works without this file; it moves keyboard and screen-reader focus to the list of errors and, on the
   submission form, offers to add the phone's position when the citizen asks (rounded again on the server). */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
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
