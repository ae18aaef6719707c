/* geo's map page: the full-screen button and the legend, two small Leaflet controls. */
(function () {
  "use strict";
  var geo = window.geo;

  geo.FullScreen = geo.Control.extend({
    options: {position: "topleft"},
    build: function (map) {
      var bar = geo.el("div", "leaflet-bar geo-fullscreen");
      var button = geo.el("a", "geo-fullscreen-button", bar);
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
      this._resize = function () { map.invalidateSize(); };
      document.addEventListener("fullscreenchange", this._resize);
      return bar;
    },
    teardown: function () { document.removeEventListener("fullscreenchange", this._resize); }
  });

  geo.Legend = geo.Control.extend({
    options: {position: "bottomleft"},
    initialize: function (html) { this.html = html; },
    build: function () {
      var box = geo.el("div", "geo-panel");
      box.innerHTML = this.html;  // built by geo from its own constants (geo._map_ui.legend_html)
      return box;
    }
  });
}());
