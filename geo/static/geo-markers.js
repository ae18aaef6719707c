/* geo's map page: a marker per mentioned place, sized by its class of mentions (quantiles,
 * see the legend) and coloured by kind. With thousands of places no marker carries a popup or
 * tooltip of its own: one of each is shared, filled when opened (see geo.bindPlaces). */
(function () {
  "use strict";
  var geo = window.geo;
  geo.POPUP = {maxWidth: 360, minWidth: 220};

  /* The markers of every place, each `geoPlace` its number; one icon per kind and size. */
  geo.markers = function (data) {
    var icons = {}, out = [];
    for (var i = 0; i < data.nPlaces; i++) {
      var k = data.places.k[i], z = data.places.z[i], key = k + "/" + z;
      if (!icons[key]) {
        var d = 2 * data.doc.radii[z];
        icons[key] = L.divIcon({className: "geo-pin geo-k" + k, iconSize: [d, d]});
      }
      var marker = L.marker(data.latLng(i), {icon: icons[key], riseOnHover: true,
                                             zIndexOffset: 100 * z});
      marker.geoPlace = i;
      out.push(marker);
    }
    return out;
  };

  /* The tooltip and popup of the places in `group` (markers or regions, each with its
   * `geoPlace`): one shared tooltip and one shared popup, made when they open. */
  geo.bindPlaces = function (map, group, data, state, sticky) {
    var tip = L.tooltip({direction: "top", sticky: sticky, offset: [0, sticky ? 0 : -8]});
    group.on("mouseover", function (e) {
      var i = e.layer.geoPlace;
      tip.setContent(geo.tooltip(data, i)).setLatLng(e.latlng || e.layer.getLatLng());
      map.openTooltip(tip);
    });
    group.on("mousemove", function (e) { if (sticky && e.latlng) { tip.setLatLng(e.latlng); } });
    group.on("mouseout", function () { map.closeTooltip(tip); });
    group.on("click", function (e) { geo.openPlace(map, data, state, e.layer, e.latlng); });
  };

  /* Open place `layer.geoPlace`'s popup on the map, at `latlng` or at the layer (unless it is
   * open already: what the reader unfolded in it stays). */
  geo.openPlace = function (map, data, state, layer, latlng) {
    var i = layer.geoPlace, open = geo.openPopup;
    if (open && open.geoPlace === i && map.hasLayer(open)) { return; }
    geo.openPopup = L.popup(geo.POPUP).setLatLng(latlng || layer.getLatLng())
      .setContent(geo.popup(data, state, i)).openOn(map);
    geo.openPopup.geoPlace = i;
  };
}());
