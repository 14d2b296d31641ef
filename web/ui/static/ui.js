// Hover and keyboard details for the timeline chart; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var chart = document.querySelector('svg[data-chart="timeline"]');
  var detail = document.getElementById("day-detail");
  if (!chart || !detail) return;
  var days = Array.prototype.slice.call(chart.querySelectorAll("rect.day"));
  function show(el) {
    var title = el.querySelector("title");
    detail.textContent = title ? title.textContent : "";
  }
  days.forEach(function (el, i) {
    el.addEventListener("mouseenter", function () { show(el); });
    el.addEventListener("focus", function () { show(el); });
    el.addEventListener("keydown", function (event) {
      var step = { ArrowRight: 1, ArrowLeft: -1, PageDown: 30, PageUp: -30 }[event.key];
      if (event.key === "Home") step = -i;
      if (event.key === "End") step = days.length - 1 - i;
      if (step === undefined) return;
      event.preventDefault();
      var next = days[Math.max(0, Math.min(days.length - 1, i + step))];
      next.focus();
    });
  });
});
