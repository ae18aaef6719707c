/* geo's map page: the Articles panel, a Leaflet control: search (title, source, place), the
 * time histogram, a source filter, the count of what is shown and the list of articles that
 * pass; pick one to see its places alone. */
(function () {
  "use strict";
  var geo = window.geo, PAGE = 50;

  function searchBox(state, box) {
    var input = geo.el("input", "geo-article-search", box);
    input.type = "search"; input.dir = "auto";
    input.placeholder = "Search titles, sources, places";
    input.value = state.filter.query;
    input.setAttribute("aria-label", "Search articles");
    input.addEventListener("input", function () { state.set({query: input.value, article: null}); });
    state.on(function () { if (input.value !== state.filter.query) { input.value = state.filter.query; } });
  }

  function sourceSelect(data, state, box) {
    var select = geo.el("select", "geo-source", box);
    select.setAttribute("aria-label", "source");
    geo.el("option", "", select, "All sources").value = "-1";
    data.doc.sources.forEach(function (s, j) {
      var opt = geo.text("option", "", select, s);
      opt.value = String(j);
    });
    select.value = String(state.filter.source);
    select.addEventListener("change", function () { state.set({source: +select.value, article: null}); });
    state.on(function () { select.value = String(state.filter.source); });
  }

  function articleList(data, state, box) {
    var list = geo.el("ol", "geo-articles", box), more = geo.el("button", "geo-more", box);
    more.type = "button";
    var limit = PAGE;
    function fill() {
      list.textContent = "";
      var hits = [], undated = [];
      for (var k = data.nArticles - 1; k >= 0; k--) {
        if (state.ok[k]) { (data.articles.d[k] ? hits : undated).push(k); }
      }
      hits = hits.concat(undated.reverse());  // the newest first, then the undated
      hits.slice(0, limit).forEach(function (k) {
        var item = geo.el("li", state.filter.article === k ? "geo-picked" : "", list);
        geo.articleHead(data, k, item).addEventListener("click", function (e) {
          if (e.currentTarget.tagName === "A") { return; }
          state.set({article: state.filter.article === k ? null : k});
        });
        var pick = geo.el("button", "geo-pick", item,
                          state.filter.article === k ? "show all" : "show its places");
        pick.type = "button";
        pick.addEventListener("click", function () {
          state.set({article: state.filter.article === k ? null : k});
        });
      });
      more.textContent = "more (" + (hits.length - Math.min(limit, hits.length)) + ")";
      more.hidden = hits.length <= limit;
    }
    more.addEventListener("click", function () { limit += PAGE; fill(); });
    state.on(function () { limit = PAGE; fill(); });
    fill();
  }

  geo.ArticlesPanel = geo.Control.extend({
    options: {position: "topright"},
    initialize: function (data, state) { this.data = data; this.state = state; },
    build: function () {
      var data = this.data, state = this.state;
      var box = geo.el("div", "geo-filter geo-panel");
      var head = geo.el("details", "", box);
      head.open = true;
      geo.el("summary", "geo-panel-h", head, "Articles");
      searchBox(state, head);
      if (data.doc.sources.length > 1) { sourceSelect(data, state, head); }
      geo.histogram(data, state, head);
      var count = geo.el("div", "geo-count", head);
      function counted() {
        var a = state.ok.filter(Boolean).length, p = state.shown.filter(Boolean).length;
        count.textContent = a + " of " + data.nArticles + " articles, " + p + " of " +
          data.nPlaces + " places";
      }
      state.on(counted);
      counted();
      articleList(data, state, head);
      return box;
    }
  });
}());
