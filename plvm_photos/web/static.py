"""The gallery's one script, served as ``/static/draw.js`` (the page's CSP allows scripts from the
gallery itself only, never inline). It lets the user drag a box on the photo page's photo and
fills the four number fields of the "add a face" form with it, in the photo's full-size pixels;
without it the fields are typed."""

from __future__ import annotations

DRAW_JS = """\
"use strict";
(function () {
  var figure = document.getElementById("photo");
  var fields = ["left", "top", "right", "bottom"].map(function (k) { return document.getElementById("draw-" + k); });
  if (!figure || fields.some(function (f) { return !f; })) { return; }
  var svg = figure.querySelector("svg"), img = figure.querySelector("img");
  var box = null;  // made when a box is first drawn
  img.draggable = false;
  figure.style.cursor = "crosshair";
  figure.style.touchAction = "none";
  var start = null;

  function point(event) {
    var r = img.getBoundingClientRect(), vb = svg.viewBox.baseVal;
    var x = (event.clientX - r.left) * vb.width / r.width, y = (event.clientY - r.top) * vb.height / r.height;
    return [Math.max(0, Math.min(vb.width, x)), Math.max(0, Math.min(vb.height, y))];
  }
  function show(l, t, r, b) {
    if (!box) {
      box = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      box.setAttribute("class", "drawing");
      box.setAttribute("id", "drawn-box");
      svg.appendChild(box);
    }
    box.setAttribute("x", l); box.setAttribute("y", t);
    box.setAttribute("width", Math.max(0, r - l)); box.setAttribute("height", Math.max(0, b - t));
  }
  function fill(a, b) {
    var v = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])].map(Math.round);
    fields.forEach(function (f, i) { f.value = v[i]; });
    show(v[0], v[1], v[2], v[3]);
  }
  figure.addEventListener("pointerdown", function (event) {
    start = point(event);
    figure.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  figure.addEventListener("pointermove", function (event) { if (start) { fill(start, point(event)); } });
  figure.addEventListener("pointerup", function (event) {
    if (start) { fill(start, point(event)); start = null; }
  });
  fields.forEach(function (f) {
    f.addEventListener("input", function () {
      var v = fields.map(function (g) { return Number(g.value); });
      if (v.every(function (n) { return isFinite(n); })) { show(v[0], v[1], v[2], v[3]); }
    });
  });
})();
"""

STATIC = {"/static/draw.js": (DRAW_JS.encode("utf-8"), "text/javascript; charset=utf-8")}
