/* geo's map page, core: the page's data tables, the filter state, and DOM helpers. Written for
 * geo; needs Leaflet. Every other geo-*.js module adds to `window.geo`.
 *
 * Safety: the data holds plain text only (titles, sources, sentences, names). It reaches the
 * page through textContent alone, each article-provided string in an element of its own with
 * dir="auto" (and unicode-bidi: isolate in geo-map.css), so that right-to-left text and bidi
 * controls in it cannot reorder the text around it.
 */
(function () {
  "use strict";
  var geo = window.geo = window.geo || {};

  /* Text for matching: no case, no accents or Arabic vowel marks and tatweel, one form of
   * alef, kaf, yeh and heh (the press mixes the Arabic and Persian/Kurdish letters). */
  geo.fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627").replace(/\u06a9/g, "\u0643")
      .replace(/[\u06cc\u0649]/g, "\u064a").replace(/[\u06d5\u0629]/g, "\u0647")
      .toLowerCase();
  };

  /* A new element; `text`, if given, as its text (never as HTML). */
  geo.el = function (tag, className, parent, text) {
    var node = L.DomUtil.create(tag, className || "", parent);
    if (text !== undefined) { node.textContent = text; }
    return node;
  };

  /* Text that came from an article or the gazetteer: its own element, its direction its own. */
  geo.text = function (tag, className, parent, text) {
    var node = geo.el(tag, "geo-t " + (className || ""), parent, text);
    node.dir = "auto";
    return node;
  };

  /* A control in the style of Leaflet's plugins: `build(map)` makes its box, `teardown(map)`
   * (if any) undoes what build hooked onto the map. */
  geo.Control = L.Control.extend({
    onAdd: function (map) {
      var box = this.build(map);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
    onRemove: function (map) { if (this.teardown) { this.teardown(map); } }
  });

  /* The document render.map_data wrote, with the lists the page needs derived once. */
  geo.Data = function (doc) {
    this.doc = doc;
    this.articles = doc.articles;
    this.nArticles = doc.articles.t.length;
    this.places = doc.places;
    this.nPlaces = doc.places.n.length;
    this.sentences = doc.sentences;
  };
  geo.Data.prototype = {
    /* (lat, lon) of place i: the table is in Leaflet's order already */
    latLng: function (i) { return [this.places.ll[2 * i], this.places.ll[2 * i + 1]]; },
    /* every spelling of place i, its name first */
    names: function (i) { return [this.places.n[i]].concat(this.places.alt[i]); },
    /* [article, sentence] pairs of place i */
    pairs: function (i) {
      var a = this.places.a[i], out = [];
      for (var j = 0; j < a.length; j += 2) { out.push([a[j], a[j + 1]]); }
      return out;
    },
    /* the places each article names (made on first use) */
    placesOf: function () {
      if (!this._placesOf) {
        var out = [], a = this.places.a;
        for (var k = 0; k < this.nArticles; k++) { out.push([]); }
        for (var i = 0; i < this.nPlaces; i++) {
          for (var j = 0; j < a[i].length; j += 2) { out[a[i][j]].push(i); }
        }
        this._placesOf = out;
      }
      return this._placesOf;
    },
    source: function (k) {
      var s = this.articles.s[k];
      return s < 0 ? "" : this.doc.sources[s];
    },
    /* what an article's search matches: its title, source and the spellings of its places */
    haystack: function (k) {
      if (!this._hay) {
        var self = this, of = this.placesOf(), folded = [];
        for (var i = 0; i < this.nPlaces; i++) { folded.push(geo.fold(this.names(i).join(" "))); }
        this._hay = of.map(function (ps, j) {
          return [geo.fold(self.articles.t[j] + " " + self.source(j))]
            .concat(ps.map(function (p) { return folded[p]; })).join("\n");
        });
      }
      return this._hay[k];
    }
  };

  /* The filter: a search text, a source, a date range (from/to ISO dates, null: the whole
   * time, undated articles included; any range leaves undated articles out), and one picked
   * article (null: none). `ok[k]` tells whether article k passes, `shown[i]` whether place i
   * is shown (some article of it passes). */
  geo.State = function (data) {
    this.data = data;
    this.filter = {query: "", source: -1, from: null, to: null, article: null};
    this.listeners = [];
    this.update();
  };
  geo.State.prototype = {
    on: function (fn) { this.listeners.push(fn); },
    set: function (patch) {
      Object.assign(this.filter, patch);
      this.update();
      var self = this;
      this.listeners.forEach(function (fn) { fn(self); });
    },
    passes: function (k, q) {
      var f = this.filter, a = this.data.articles, d = a.d[k];
      if (f.article !== null) { return f.article === k; }
      if (f.source >= 0 && a.s[k] !== f.source) { return false; }
      if ((f.from !== null || f.to !== null) &&
          (d === "" || (f.from !== null && d < f.from) || (f.to !== null && d > f.to))) {
        return false;
      }
      return !q || this.data.haystack(k).indexOf(q) >= 0;
    },
    update: function () {
      var data = this.data, ok = [], shown = [], q = geo.fold(this.filter.query.trim());
      for (var k = 0; k < data.nArticles; k++) { ok.push(this.passes(k, q)); }
      for (var i = 0; i < data.nPlaces; i++) {
        var a = data.places.a[i], yes = a.length === 0;
        for (var j = 0; j < a.length && !yes; j += 2) { yes = ok[a[j]]; }
        shown.push(yes);
      }
      this.ok = ok;
      this.shown = shown;
    },
    /* whether any filter is set */
    active: function () {
      var f = this.filter;
      return f.query !== "" || f.source >= 0 || f.from !== null || f.to !== null ||
        f.article !== null;
    }
  };
}());
