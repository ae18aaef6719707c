/* geo's map page: find a mentioned place by any spelling seen in the articles (Latin, Arabic
 * or Kurdish script alike, see geo.fold), among the places shown; pick one to open it. */
(function () {
  "use strict";
  var geo = window.geo, MAX = 8;

  function matches(data, state, folded, query) {
    var q = geo.fold(query.trim()), starts = [], contains = [];
    if (!q) { return []; }
    for (var i = 0; i < data.nPlaces; i++) {
      if (!state.shown[i]) { continue; }
      var at = folded[i].map(function (n) { return n.indexOf(q); });
      if (at.indexOf(0) >= 0) { starts.push(i); }
      else if (at.some(function (x) { return x > 0; })) { contains.push(i); }
      if (starts.length >= MAX) { break; }
    }
    return starts.concat(contains).slice(0, MAX);
  }

  geo.PlaceSearch = geo.Control.extend({
    options: {position: "topleft"},
    initialize: function (data, state, open) { this.data = data; this.state = state; this.open = open; },
    build: function () {
      var data = this.data, state = this.state, open = this.open, folded = null;
      var box = geo.el("div", "geo-search geo-panel");
      var input = geo.el("input", "", box);
      input.type = "search"; input.dir = "auto"; input.placeholder = "Find a mentioned place";
      input.setAttribute("aria-label", "Find a mentioned place");
      var list = geo.el("ul", "", box), hits = [];
      function pick(i) { list.textContent = ""; open(i); }
      input.addEventListener("input", function () {
        if (!folded) {
          folded = [];
          for (var i = 0; i < data.nPlaces; i++) { folded.push(data.names(i).map(geo.fold)); }
        }
        hits = matches(data, state, folded, input.value);
        list.textContent = "";
        hits.forEach(function (i) {
          geo.text("li", "", list, data.places.n[i]).addEventListener("click", function (e) {
            L.DomEvent.stop(e);  // the item goes at once: the map must not take this for its click
            pick(i);
          });
        });
        if (input.value.trim() && !hits.length) { geo.el("li", "geo-none", list, "no match"); }
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && hits.length) { pick(hits[0]); }
        if (e.key === "Escape") { input.value = ""; list.textContent = ""; }
      });
      return box;
    }
  });
}());
