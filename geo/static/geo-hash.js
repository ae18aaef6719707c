/* geo's map page: the view in the address's hash (#map=zoom/lat/lon&q=&source=&from=&to=
 * &article=), read when the page opens and rewritten as the reader moves, so a link reopens
 * the same view. Values are only compared and shown as text. */
(function () {
  "use strict";
  var geo = window.geo;

  geo.readHash = function (hash) {
    var out = {};
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq > 0) {
        try { out[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1)); } catch (e) { /* skip */ }
      }
    });
    return out;
  };

  /* The filter a hash asks for (unknown sources and articles are left out). */
  geo.filterOf = function (data, h) {
    var f = {}, date = /^\d{4}-\d{2}-\d{2}$/;
    if (h.q) { f.query = h.q; }
    if (h.source) { f.source = data.doc.sources.indexOf(h.source); }
    if (date.test(h.from || "")) { f.from = h.from; }
    if (date.test(h.to || "")) { f.to = h.to; }
    if (h.article) {
      var k = data.articles.id.indexOf(h.article);
      if (k >= 0) { f.article = k; }
    }
    return f;
  };

  /* The view a hash asks for: [[lat, lon], zoom] or null. */
  geo.viewOf = function (h) {
    var v = (h.map || "").split("/").map(Number);
    return v.length === 3 && v.every(isFinite) ? [[v[1], v[2]], v[0]] : null;
  };

  geo.writeHash = function (map, data, state) {
    var f = state.filter, c = map.getCenter(), parts = [
      "map=" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4)];
    if (f.query) { parts.push("q=" + encodeURIComponent(f.query)); }
    if (f.source >= 0) { parts.push("source=" + encodeURIComponent(data.doc.sources[f.source])); }
    if (f.from !== null) { parts.push("from=" + f.from); }
    if (f.to !== null) { parts.push("to=" + f.to); }
    if (f.article !== null) { parts.push("article=" + encodeURIComponent(data.articles.id[f.article])); }
    history.replaceState(null, "", "#" + parts.join("&"));
  };
}());
