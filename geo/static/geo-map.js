/* geo's map page: mentioned places and regions, an article and date filter, a place search,
 * a full-screen button and the legend; and the offline basemap and the context layers. Written
 * for geo; needs Leaflet and Leaflet.markercluster.
 *
 * Safety: every string in `data` that is shown as HTML is HTML that geo escaped in Python
 * (geo.render._e). This file inserts those strings as they are and writes everything else,
 * the places' search names (plain text) among it, with textContent.
 */
(function () {
  "use strict";

  var POPUP = {maxWidth: 340};

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function el(tag, className, parent, text) {
    var node = L.DomUtil.create(tag, className || "", parent);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function control(position, build) {
    var Ctl = L.Control.extend({
      options: {position: position},
      onAdd: function (map) {
        var box = build(map);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    return new Ctl();
  }

  function makeMarker(p) {
    var d = 2 * p.r;
    var icon = L.divIcon({className: "geo-pin geo-k" + p.k, iconSize: [d, d]});
    // p.ll is already in Leaflet's (lat, lon) order
    var marker = L.marker(p.ll, {icon: icon, zIndexOffset: 1000 - Math.round(10 * d),
                                 riseOnHover: true});
    marker.bindTooltip(p.tip, {direction: "top", offset: [0, -p.r]});
    marker.bindPopup(p.pop, POPUP);
    return marker;
  }

  function makeRegion(r, place) {
    // r.g is GeoJSON, in (lon, lat) order: L.geoJSON flips it to Leaflet's (lat, lon)
    var layer = L.geoJSON(r.g, {pane: "geoRegions", style: function () { return r.s; }});
    layer.bindTooltip(place.tip, {sticky: true});
    layer.bindPopup(place.pop, POPUP);
    return layer;
  }

  /* Whether each article lies in the date range (undated ones only when the range is full). */
  function inRange(state) {
    var f = state.filter;
    var full = f.from === 0 && f.to >= state.dates.length - 1;
    var lo = state.dates[f.from], hi = state.dates[f.to];
    return state.data.articles.map(function (a) {
      return full || (a.d !== "" && a.d >= lo && a.d <= hi);
    });
  }

  function apply(state) {
    var range = inRange(state);
    if (state.filter.article !== null && !range[state.filter.article]) {
      state.filter.article = null;
    }
    var ok = range.map(function (yes, i) {
      return yes && (state.filter.article === null || state.filter.article === i);
    });
    var shown = state.data.places.map(function (p) {
      return p.a.length === 0 || p.a.some(function (i) { return ok[i]; });
    });
    state.cluster.clearLayers();
    state.cluster.addLayers(state.markers.filter(function (m, i) { return shown[i]; }));
    state.regions.clearLayers();
    state.data.regions.forEach(function (r, i) {
      if (shown[r.p]) { state.regions.addLayer(state.regionLayers[i]); }
    });
    state.shown = shown;
    state.onChange.forEach(function (fn) { fn(ok, shown, range); });
  }

  function dateSliders(state, box) {
    var n = state.dates.length;
    var row = el("div", "geo-dates", box);
    var label = el("div", "geo-date-label", row);
    function slider(name, value) {
      var input = el("input", "geo-range", row);
      input.type = "range"; input.min = 0; input.max = n - 1; input.step = 1;
      input.value = value; input.setAttribute("aria-label", name);
      return input;
    }
    var from = slider("from date", 0), to = slider("to date", n - 1);
    function show() {
      label.textContent = state.dates[state.filter.from] + " – " + state.dates[state.filter.to];
    }
    function changed() {
      var a = +from.value, b = +to.value;
      state.filter.from = Math.min(a, b); state.filter.to = Math.max(a, b);
      show(); apply(state);
    }
    from.addEventListener("input", changed);
    to.addEventListener("input", changed);
    show();
  }

  function articleSelect(state, box) {
    var select = el("select", "geo-article", box);
    select.setAttribute("aria-label", "article");
    var arts = state.data.articles;
    function fill(range) {
      select.textContent = "";
      el("option", "", select, "All articles").value = "";
      arts.forEach(function (a, i) {
        if (!range[i]) { return; }
        var opt = el("option", "", select);
        opt.value = String(i);
        opt.innerHTML = (a.d ? a.d + " · " : "") + a.t;  // a.t escaped by geo, a.d is digits
      });
      select.value = state.filter.article === null ? "" : String(state.filter.article);
    }
    select.addEventListener("change", function () {
      state.filter.article = select.value === "" ? null : +select.value;
      apply(state);
    });
    state.onChange.push(function (ok, shown, range) { fill(range); });
  }

  function filterControl(state) {
    return control("topright", function () {
      var box = el("div", "geo-filter geo-panel");
      el("div", "geo-panel-h", box, "Articles");
      if (state.dates.length > 1) { dateSliders(state, box); }
      if (state.data.articles.length > 1) { articleSelect(state, box); }
      var count = el("div", "geo-count", box);
      state.onChange.push(function (ok, shown) {
        var a = ok.filter(Boolean).length, p = shown.filter(Boolean).length;
        count.textContent = a + " of " + ok.length + " articles, " + p + " of " +
          shown.length + " places";
      });
      return box;
    });
  }

  function goTo(state, i) {
    var marker = state.markers[i];
    if (!state.map.hasLayer(state.cluster)) { state.map.addLayer(state.cluster); }
    state.cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
  }

  function searchMatches(state, query) {
    if (!state.names) {
      state.names = state.data.places.map(function (p) { return p.s.map(fold); });
    }
    var q = fold(query.trim()), starts = [], contains = [];
    if (!q) { return []; }
    state.names.forEach(function (names, i) {
      if (!state.shown[i]) { return; }
      if (names.some(function (n) { return n.indexOf(q) === 0; })) { starts.push(i); }
      else if (names.some(function (n) { return n.indexOf(q) > 0; })) { contains.push(i); }
    });
    return starts.concat(contains).slice(0, 8);
  }

  function searchControl(state) {
    return control("topleft", function () {
      var box = el("div", "geo-search geo-panel");
      var input = el("input", "", box);
      input.type = "search"; input.placeholder = "Find a mentioned place";
      input.setAttribute("aria-label", "Find a mentioned place");
      var list = el("ul", "", box);
      var hits = [];
      function pick(i) { list.textContent = ""; goTo(state, i); }
      input.addEventListener("input", function () {
        hits = searchMatches(state, input.value);
        list.textContent = "";
        hits.forEach(function (i) {
          var item = el("li", "", list, state.data.places[i].s[0]);
          item.addEventListener("click", function () { pick(i); });
        });
        if (input.value.trim() && !hits.length) { el("li", "geo-none", list, "no match"); }
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && hits.length) { pick(hits[0]); }
        if (e.key === "Escape") { input.value = ""; list.textContent = ""; }
      });
      return box;
    });
  }

  function fullScreenControl() {
    return control("topleft", function (map) {
      var bar = el("div", "leaflet-bar geo-fullscreen");
      var button = el("a", "geo-fullscreen-button", bar);
      button.href = "#"; button.setAttribute("role", "button");
      button.title = "Full screen"; button.setAttribute("aria-label", "Full screen");
      var box = map.getContainer();
      function fallback() { box.classList.toggle("geo-full"); map.invalidateSize(); }
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.preventDefault(e);
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (box.classList.contains("geo-full") || !box.requestFullscreen) { fallback(); }
        else { box.requestFullscreen().catch(fallback); }
      });
      document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
      return bar;
    });
  }

  function legendControl(html) {
    return control("bottomleft", function () {
      var box = el("div", "geo-panel");
      box.innerHTML = html;  // built by geo from its own constants (geo._map_ui.legend_html)
      return box;
    });
  }

  /* The offline basemap: GeoJSON in (lon, lat) order, which L.geoJSON flips to Leaflet's
   * (lat, lon); each feature styled by its kind (styles["*"] for the other kinds). */
  window.geoBasemap = function (data, styles) {
    return L.geoJSON(data, {
      pane: "geoBase", interactive: false,
      style: function (f) { return styles[f.properties.kind] || styles["*"]; }
    });
  };

  /* A context layer (Kurdistan Region, disputed territories): one style for every unit, a
   * circle for a unit known only by its seat, and each unit's tooltip and popup, HTML that
   * geo escaped, taken from its properties "tip" and "pop". GeoJSON is (lon, lat). */
  window.geoContext = function (data, style) {
    return L.geoJSON(data, {
      style: function () { return style; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, Object.assign({radius: 6}, style));
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.tip, {sticky: true});
        layer.bindPopup(f.properties.pop, POPUP);
      }
    });
  };

  window.geoMap = function (map, cluster, regions, data, legend) {
    var dates = data.articles.map(function (a) { return a.d; }).filter(Boolean);
    dates = dates.filter(function (d, i) { return dates.indexOf(d) === i; }).sort();
    var state = {
      map: map, cluster: cluster, regions: regions, data: data, dates: dates,
      filter: {from: 0, to: Math.max(dates.length - 1, 0), article: null},
      markers: data.places.map(makeMarker), onChange: []
    };
    state.regionLayers = data.regions.map(function (r) { return makeRegion(r, data.places[r.p]); });
    if (data.articles.length > 1 || dates.length > 1) { filterControl(state).addTo(map); }
    searchControl(state).addTo(map);
    fullScreenControl().addTo(map);
    legendControl(legend).addTo(map);
    (data.attribution || []).forEach(function (a) { map.attributionControl.addAttribution(a); });
    apply(state);
    // ((south, west), (north, east)) in Leaflet's (lat, lon) order; none when nothing is mapped
    if (data.bounds) { map.fitBounds(data.bounds); }
  };
}());
