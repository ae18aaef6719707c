/* geo's map page: the articles over time, one bar per day, month or year (whichever gives a
 * readable number of bars); drag across the bars (or click one) to keep that range. */
(function () {
  "use strict";
  var geo = window.geo, DAY = 86400000;

  function pad(n, w) { return String(n).padStart(w, "0"); }

  /* The bins from the first date to the last: keys ("2020", "2020-06" or "2020-06-14"). */
  geo.bins = function (dates) {
    var lo = dates[0], hi = dates[dates.length - 1], out = [];
    var days = (Date.parse(hi) - Date.parse(lo)) / DAY;
    if (days <= 92) {
      for (var t = Date.parse(lo); t <= Date.parse(hi); t += DAY) {
        out.push(new Date(t).toISOString().slice(0, 10));
      }
    } else if (days <= 366 * 8) {
      var y = +lo.slice(0, 4), m = +lo.slice(5, 7), end = hi.slice(0, 7);
      for (var key = lo.slice(0, 7); key <= end; key = pad(y, 4) + "-" + pad(m, 2)) {
        out.push(key);
        m += 1; if (m > 12) { m = 1; y += 1; }
      }
    } else {
      for (var yr = +lo.slice(0, 4); yr <= +hi.slice(0, 4); yr++) { out.push(pad(yr, 4)); }
    }
    return out;
  };

  /* The first and last ISO dates of a bin (string comparison does the rest). */
  function first(key) { return (key + "-01-01").slice(0, 10); }
  function last(key) { return key.length === 4 ? key + "-12-31" : key.length === 7 ? key + "-31" : key; }

  geo.histogram = function (data, state, parent) {
    var dates = data.articles.d.filter(Boolean).sort();
    if (!dates.length) { return; }
    var bins = geo.bins(dates), w = bins[0].length, counts = bins.map(function () { return 0; });
    var where = {};
    bins.forEach(function (b, j) { where[b] = j; });
    dates.forEach(function (d) { counts[where[d.slice(0, w)]] += 1; });
    var top = Math.max.apply(null, counts);
    var box = geo.el("div", "geo-hist", parent);
    box.setAttribute("aria-label", "articles over time: drag to choose a range");
    var bars = bins.map(function (b, j) {
      var bar = geo.el("div", "geo-bar", box);
      bar.style.height = Math.max(1, Math.round(36 * counts[j] / top)) + "px";
      bar.title = b + ": " + counts[j];
      bar.dataset.bin = j;
      return bar;
    });
    var row = geo.el("div", "geo-hist-row", parent);
    var label = geo.el("span", "geo-date-label", row);
    var reset = geo.el("button", "geo-reset", row, "all dates");
    reset.type = "button";
    var undated = data.nArticles - dates.length;
    if (undated) {
      geo.el("div", "geo-note", parent, undated + " undated: shown only with all dates");
    }
    var start = null;
    function binAt(e) {
      var rect = box.getBoundingClientRect();
      var j = Math.floor((e.clientX - rect.left) / rect.width * bins.length);
      return Math.max(0, Math.min(bins.length - 1, j));
    }
    function mark(a, b) {
      bars.forEach(function (bar, j) { bar.classList.toggle("geo-in", a === null || (j >= a && j <= b)); });
    }
    function show() {
      var f = state.filter;
      label.textContent = (f.from === null ? bins[0] : f.from.slice(0, w)) + " – " +
        (f.to === null ? bins[bins.length - 1] : f.to.slice(0, w));
      reset.hidden = f.from === null && f.to === null;
      if (f.from === null && f.to === null) { mark(null); return; }
      mark(f.from === null ? 0 : where[f.from.slice(0, w)],
           f.to === null ? bins.length - 1 : where[f.to.slice(0, w)]);
    }
    L.DomEvent.on(box, "pointerdown", function (e) {
      start = binAt(e); box.setPointerCapture(e.pointerId); mark(start, start);
    });
    L.DomEvent.on(box, "pointermove", function (e) {
      if (start !== null) { var j = binAt(e); mark(Math.min(start, j), Math.max(start, j)); }
    });
    L.DomEvent.on(box, "pointerup", function (e) {
      if (start === null) { return; }
      var j = binAt(e), a = Math.min(start, j), b = Math.max(start, j);
      start = null;
      state.set({from: first(bins[a]), to: last(bins[b]), article: null});
    });
    L.DomEvent.on(reset, "click", function () { state.set({from: null, to: null}); });
    state.on(show);
    show();
  };
}());
