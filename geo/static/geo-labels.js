/* geo's map page: names on the offline basemap (countries zoomed out, then large cities and
 * governorate/province names as you zoom in), a Leaflet layer. Labels are placed in the
 * order geo listed them, each where it overlaps none placed before it. */
(function () {
  "use strict";
  var geo = window.geo, STYLES = ["geo-label-country", "geo-label-city", "geo-label-adm1"];

  geo.Labels = L.Layer.extend({
    options: {pane: "geoLabels"},
    /* table: name, lat, lon, first zoom, last zoom, style number; six values per label */
    initialize: function (table) { this.table = table; },
    onAdd: function (map) {
      var pane = map.getPane(this.options.pane) || map.createPane(this.options.pane);
      this._box = geo.el("div", "geo-labels", pane);
      map.on("zoomend moveend", this._draw, this);
      this._draw();
    },
    onRemove: function (map) {
      map.off("zoomend moveend", this._draw, this);
      L.DomUtil.remove(this._box);
    },
    _draw: function () {
      var map = this._map, t = this.table, z = map.getZoom(), placed = [];
      var view = map.getBounds().pad(0.1);
      this._box.textContent = "";
      for (var j = 0; j < t.length; j += 6) {
        if (z < t[j + 3] || z > t[j + 4]) { continue; }
        var ll = L.latLng(t[j + 1], t[j + 2]);  // the table is in Leaflet's (lat, lon) order
        if (!view.contains(ll)) { continue; }
        var p = map.latLngToLayerPoint(ll), w = 6.5 * t[j].length + 8, h = 14;
        var box = [p.x - w / 2, p.y - h, p.x + w / 2, p.y + 2];
        if (placed.some(function (b) {
          return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3];
        })) { continue; }
        placed.push(box);
        var label = geo.text("div", "geo-label " + STYLES[t[j + 5]], this._box, t[j]);
        L.DomUtil.setPosition(label, p);
      }
    }
  });
}());
