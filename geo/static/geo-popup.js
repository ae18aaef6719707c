/* geo's map page: the tooltip and popup of a place, built when first opened from the data
 * tables (geo-core.js): the first articles at once, more on request. Text only, no HTML. */
(function () {
  "use strict";
  var geo = window.geo, FIRST = 3, MORE = 10;

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  /* The sentence as text, each spelling of the place in <mark> where it stands. */
  geo.highlight = function (parent, sentence, names) {
    var spellings = names.filter(Boolean).sort(function (a, b) { return b.length - a.length; });
    var pos = 0;
    while (pos < sentence.length) {
      var at = -1, hit = "";
      spellings.forEach(function (n) {
        var i = sentence.indexOf(n, pos);
        if (i >= 0 && (at < 0 || i < at)) { at = i; hit = n; }
      });
      if (at < 0) { break; }
      parent.appendChild(document.createTextNode(sentence.slice(pos, at)));
      geo.el("mark", "", parent, hit);
      pos = at + hit.length;
    }
    parent.appendChild(document.createTextNode(sentence.slice(pos)));
  };

  function label(data, i) {
    var p = data.places, kind = data.doc.kinds[p.k[i]];
    return kind + (p.c[i] ? ", " + p.c[i] : "");
  }

  geo.tooltip = function (data, i) {
    var box = geo.el("div", "geo-tip");
    geo.text("b", "", box, data.places.n[i]);
    geo.el("span", "", box, " (" + label(data, i) + ") · " + plural(data.places.m[i], "mention"));
    return box;
  };

  /* An article's title (a link when it has a web address), source and date. */
  geo.articleHead = function (data, k, parent) {
    var a = data.articles, url = a.u[k], title;
    if (/^https?:\/\//i.test(url)) {
      title = geo.text("a", "geo-title", parent, a.t[k]);
      title.href = url; title.target = "_blank"; title.rel = "noopener";
    } else {
      title = geo.text("b", "geo-title", parent, a.t[k]);
    }
    var meta = geo.el("div", "geo-meta", parent);
    if (data.source(k)) { geo.text("span", "", meta, data.source(k)); }
    if (a.d[k]) { geo.el("span", "", meta, (data.source(k) ? " · " : "") + a.d[k]); }
    return title;
  };

  function entry(data, names, pair, list) {
    var row = geo.el("div", "geo-entry", list);
    geo.articleHead(data, pair[0], row);
    if (pair[1] >= 0) {
      var said = geo.el("div", "geo-sentence geo-t", row);
      said.dir = "auto";
      geo.highlight(said, data.sentences[pair[1]], names);
    }
  }

  /* The popup of place i: its articles that pass the filter, FIRST at once, MORE a click. */
  geo.popup = function (data, state, i) {
    var box = geo.el("div", "geo-popup");
    var head = geo.el("div", "geo-popup-h", box);
    geo.text("b", "", head, data.places.n[i]);
    geo.el("i", "", head, " (" + label(data, i) + ")");
    if (data.places.src && data.places.src[i]) {  // not from the gazetteer: say where from
      geo.el("div", "geo-note", box, "source: " + data.places.src[i]);
    }
    var pairs = data.pairs(i);
    geo.el("div", "", box, plural(data.places.m[i], "mention") + " in " +
      plural(pairs.length, "article"));
    if (state.active()) {
      pairs = pairs.filter(function (pr) { return state.ok[pr[0]]; });
      geo.el("div", "geo-note", box, pairs.length + " in the current selection");
    }
    var names = data.names(i), list = geo.el("div", "geo-entries", box), done = 0;
    var more = geo.el("button", "geo-more", box);
    more.type = "button";
    function show(n) {
      pairs.slice(done, done + n).forEach(function (pr) { entry(data, names, pr, list); });
      done = Math.min(pairs.length, done + n);
      var left = pairs.length - done;
      more.textContent = "more (" + left + ")";
      more.hidden = left === 0;
    }
    L.DomEvent.on(more, "click", function (e) { L.DomEvent.stop(e); show(MORE); });
    show(FIRST);
    return box;
  };
}());
