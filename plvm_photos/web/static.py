"""The gallery's scripts (the page's CSP allows scripts from the gallery itself only, never inline),
each only adding to a page that works without it:

- ``/static/draw.js`` lets the user drag a box on the photo page's photo and fills the four number
  fields of the "add a face" form with it, in the photo's full-size pixels (without it the fields
  are typed);
- ``/static/select.js`` makes the grids of unknown faces and suggestions (checkboxes in one form)
  quick to choose from: shift-click (or Shift+Space) for a range, arrow keys to move, Enter or
  Space to choose, "Choose all" per group, the count chosen, and "Clear".
"""

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

SELECT_JS = """\
"use strict";
(function () {
  var form = document.getElementById("pick-form");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input.pick-box"));
  var bar = form.querySelector(".bar"), count = bar.querySelector(".chosen");
  var submits = Array.prototype.slice.call(bar.querySelectorAll("button[type=submit]"));
  var last = null;  // the checkbox chosen or unchosen last: a range starts there

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    count.textContent = n === 0 ? "Choose faces, then:" : n + (n === 1 ? " face" : " faces") + " chosen:";
    submits.forEach(function (b) { b.disabled = n === 0; });
    clear.hidden = n === 0;
  }
  function range(to, state) {
    var a = boxes.indexOf(last), b = boxes.indexOf(to);
    if (a < 0) { return false; }
    for (var i = Math.min(a, b); i <= Math.max(a, b); i++) { boxes[i].checked = state; }
    return true;
  }
  var clear = document.createElement("button");
  clear.type = "button"; clear.textContent = "Clear"; clear.id = "pick-clear";
  clear.addEventListener("click", function () { boxes.forEach(function (b) { b.checked = false; }); last = null; update(); });
  bar.appendChild(clear);

  boxes.forEach(function (box) {
    box.addEventListener("click", function (event) {
      if (event.shiftKey && last && last !== box) { range(box, box.checked); }
      last = box;
      update();
    });
    box.addEventListener("keydown", function (event) {
      var i = boxes.indexOf(box), to = null;
      if (event.key === "Enter" || (event.key === " " && event.shiftKey)) {
        event.preventDefault();
        var state = !box.checked;
        if (!(event.shiftKey && last && last !== box && range(box, state))) { box.checked = state; }
        last = box;
        update();
        return;
      }
      if (event.key === "ArrowRight") { to = boxes[i + 1]; }
      else if (event.key === "ArrowLeft") { to = boxes[i - 1]; }
      else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        // the face of the next (previous) row nearest below (above) this one
        var step = event.key === "ArrowDown" ? 1 : -1, here = box.parentNode.getBoundingClientRect(), row = null, gap = 0;
        for (var j = i + step; j >= 0 && j < boxes.length; j += step) {
          var r = boxes[j].parentNode.getBoundingClientRect();
          if (step > 0 ? r.top <= here.top + 4 : r.top >= here.top - 4) { continue; }
          if (row === null) { row = r.top; }
          if (Math.abs(r.top - row) > 4) { break; }
          if (to === null || Math.abs(r.left - here.left) < gap) { to = boxes[j]; gap = Math.abs(r.left - here.left); }
        }
      }
      if (to) { event.preventDefault(); to.focus(); }
    });
  });

  Array.prototype.forEach.call(form.querySelectorAll("section.group"), function (group) {
    var mine = Array.prototype.slice.call(group.querySelectorAll("input.pick-box"));
    if (mine.length < 2) { return; }
    var all = document.createElement("button");
    all.type = "button"; all.className = "choose-all"; all.textContent = "Choose all " + mine.length;
    all.addEventListener("click", function () {
      var state = !mine.every(function (b) { return b.checked; });
      mine.forEach(function (b) { b.checked = state; });
      last = mine[mine.length - 1];
      update();
    });
    group.querySelector("h2").appendChild(all);
  });
  update();
})();
"""

STATIC = {
    "/static/draw.js": (DRAW_JS.encode("utf-8"), "text/javascript; charset=utf-8"),
    "/static/select.js": (SELECT_JS.encode("utf-8"), "text/javascript; charset=utf-8"),
}
