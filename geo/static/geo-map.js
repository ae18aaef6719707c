/* geo's map page: wires the modules together. geoBasemap and geoContext draw what the page
 * shows whatever the articles; geoMap the mentioned places and regions and the controls.
 * Written for geo; needs Leaflet, Leaflet.markercluster and the other geo-*.js modules. */
(function () {
  "use strict";
  var geo = window.geo;

  /* The offline basemap: GeoJSON in (lon, lat) order, which L.geoJSON flips to Leaflet's
   * (lat, lon); each feature styled by its kind (styles["*"] for the other kinds); with its
   * labels (geo-labels.js). */
  window.geoBasemap = function (data, styles, labels) {
    var land = L.geoJSON(data, {
      pane: "geoBase", interactive: false,
      style: function (f) { return styles[f.properties.kind] || styles["*"]; }
    });
    return L.layerGroup([land, new geo.Labels(labels)]);
  };

  /* A context layer (Kurdistan Region, disputed territories): one style for every unit, a
   * circle for a unit known only by its seat, and each unit's tooltip and popup, HTML that
   * geo escaped from its own gazetteer tables, in its properties "tip" and "pop". */
  window.geoContext = function (data, style) {
    return L.geoJSON(data, {
      style: function () { return style; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, Object.assign({radius: 6}, style));
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.tip, {sticky: true});
        layer.bindPopup(f.properties.pop, geo.POPUP);
      }
    });
  };

  /* The page's data document, read from its JSON element, which then goes (its text is
   * as large as the data). */
  window.geoData = function (element) {
    var doc = JSON.parse(element.textContent);
    element.remove();
    return doc;
  };

  function drawMarkers(state, layers) {
    layers.cluster.clearLayers();
    layers.cluster.addLayers(layers.markers.filter(function (m) { return state.shown[m.geoPlace]; }));
  }

  function drawRegions(state, layers) {
    layers.regions.clearLayers();
    layers.regionLayers.forEach(function (r) {
      if (state.shown[r.geoPlace]) { layers.regions.addLayer(r); }
    });
  }

  /* Regions are made and drawn once the first frame is up (markers first, then polygons). */
  function later(fn) { requestAnimationFrame(function () { setTimeout(fn, 0); }); }

  function opener(map, layers, data, state) {
    return function (i) {
      var marker = layers.markers[i];
      if (!map.hasLayer(layers.cluster)) { map.addLayer(layers.cluster); }
      layers.cluster.zoomToShowLayer(marker, function () {
        geo.openPlace(map, data, state, marker);
      });
    };
  }

  window.geoMap = function (map, cluster, regions, doc, legend) {
    var data = new geo.Data(doc), state = new geo.State(data);
    var layers = {cluster: cluster, regions: regions, markers: geo.markers(data),
                  regionLayers: []};
    geo.bindPlaces(map, cluster, data, state, false);
    geo.bindPlaces(map, regions, data, state, true);
    var hash = geo.readHash(location.hash), view = geo.viewOf(hash);
    // the view first, so that nothing drawn below is projected twice; ((south, west), (north,
    // east)) in Leaflet's (lat, lon) order, none when nothing is mapped
    if (view) { map.setView(view[0], view[1]); } else if (doc.bounds) { map.fitBounds(doc.bounds); }
    state.set(geo.filterOf(data, hash));
    drawMarkers(state, layers);
    later(function () {
      layers.regionLayers = geo.regionLayers(data, "geoRegions");
      drawRegions(state, layers);
      // when all is drawn, for geo bench-map (ms since the page was opened)
      requestAnimationFrame(function () { document.body.dataset.geoDrawn = String(performance.now()); });
    });
    state.on(function () {
      drawMarkers(state, layers); drawRegions(state, layers); geo.writeHash(map, data, state);
    });
    if (data.nArticles > 1) { new geo.ArticlesPanel(data, state).addTo(map); }
    new geo.PlaceSearch(data, state, opener(map, layers, data, state)).addTo(map);
    new geo.FullScreen().addTo(map);
    new geo.Legend(legend).addTo(map);
    (doc.attribution || []).forEach(function (a) { map.attributionControl.addAttribution(a); });
    map.on("moveend", function () { geo.writeHash(map, data, state); });
    // the first frame with the markers, for geo bench-map (ms since the page was opened)
    requestAnimationFrame(function () { document.body.dataset.geoFirstFrame = String(performance.now()); });
  };
}());
