/* geo's map page: the polygons of the mentioned regions, decoded from the shared arcs of
 * geo._topo (integers on a grid, longitude first as in GeoJSON) and drawn on one canvas. */
(function () {
  "use strict";
  var geo = window.geo;

  /* The numbers of an arc's text (geo._topo.encode: zigzag, 5-bit chunks from "?"). */
  function numbers(text) {
    var out = [], z = 0, shift = 0;
    for (var j = 0; j < text.length; j++) {
      var c = text.charCodeAt(j) - 63;
      z |= (c & 0x1f) << shift;
      if (c & 0x20) { shift += 5; continue; }
      out.push((z >>> 1) ^ -(z & 1));
      z = 0; shift = 0;
    }
    return out;
  }

  /* Each arc as Leaflet points: the arcs are (lon, lat), flipped here to (lat, lng). */
  function decodeArcs(topology) {
    var s = topology.scale;
    return topology.arcs.map(function (text) {
      var a = numbers(text), out = [], x = 0, y = 0;
      for (var j = 0; j < a.length; j += 2) {
        x += a[j]; y += a[j + 1];
        out.push(new L.LatLng(y / s, x / s));
      }
      return out;
    });
  }

  function ring(arcs, refs) {
    var out = [];
    refs.forEach(function (r) {
      var pts = arcs[r >= 0 ? r : ~r], n = pts.length;
      for (var j = out.length ? 1 : 0; j < n; j++) { out.push(pts[r >= 0 ? j : n - 1 - j]); }
    });
    return out;
  }

  function shade(doc, mentions) {
    var k = 0;
    doc.classes.forEach(function (low, j) { if (mentions >= low) { k = j; } });
    return doc.ramp[k];
  }

  /* The region layers, in the document's order (largest kinds first), each `geoPlace` (their
   * tooltip and popup: geo.bindPlaces). */
  geo.regionLayers = function (data, pane) {
    var doc = data.doc, topo = doc.regions.topology;
    var arcs = decodeArcs(topo), renderer = L.canvas({pane: pane, padding: 0.2});
    return doc.regions.p.map(function (i, j) {
      var polys = topo.shapes[j].map(function (poly) {
        return poly.map(function (refs) { return ring(arcs, refs); });
      });
      var colour = shade(doc, data.places.m[i]), kind = doc.kinds[data.places.k[i]];
      var broad = kind === "country" || kind === "continent";
      var layer = L.polygon(polys, {
        renderer: renderer, pane: pane, color: colour, weight: broad ? 2.5 : 1,
        fillColor: colour, fillOpacity: broad ? 0.1 : 0.45
      });
      layer.geoPlace = i;
      return layer;
    });
  };
}());
