(function () {
  var table = document.getElementById("claims");
  var groups = function () {
    return Array.prototype.slice.call(table.querySelectorAll("tbody.claim"));
  };
  var selects = {family: document.getElementById("filter-family"),
                 verdict: document.getElementById("filter-verdict")};
  function readHash() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv.length === 2) state[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1]);
    });
    return state;
  }
  function countVisible() {
    var notes = document.querySelectorAll(".notes"), visible = 0;
    Array.prototype.forEach.call(notes, function (el) {
      var rendered = el.checkVisibility ? el.checkVisibility({contentVisibilityAuto: true})
                                        : el.getClientRects().length > 0;
      if (rendered && el.getBoundingClientRect().height > 0) visible += 1;
    });
    document.body.setAttribute("data-notes-visible", String(visible));
  }
  function apply() {
    var shown = 0;
    groups().forEach(function (group) {
      var ok = Object.keys(selects).every(function (key) {
        var want = selects[key].value;
        return !want || group.getAttribute("data-" + key) === want;
      });
      if (ok) { group.removeAttribute("hidden"); shown += 1; }
      else { group.setAttribute("hidden", ""); }
    });
    document.getElementById("shown").textContent = shown;
    document.body.setAttribute("data-shown", String(shown));
    countVisible();
  }
  function setAll(open) {
    Array.prototype.forEach.call(document.querySelectorAll("tr.detail > td > details"),
      function (d) { d.open = open; });
    countVisible();
  }
  function writeHash() {
    var state = readHash(), parts = [];
    Object.keys(selects).forEach(function (key) {
      if (selects[key].value) parts.push(key + "=" + encodeURIComponent(selects[key].value));
    });
    ["claim", "details"].forEach(function (key) {
      if (state[key]) parts.push(key + "=" + encodeURIComponent(state[key]));
    });
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname);
    apply();
  }
  function fromHash() {
    var state = readHash();
    Object.keys(selects).forEach(function (key) {
      var want = state[key] || "";
      var known = Array.prototype.some.call(selects[key].options, function (o) {
        return o.value === want;
      });
      selects[key].value = known ? want : "";
    });
    if (state.details === "all") setAll(true);
    if (state.claim) {
      var d = document.getElementById("details-" + state.claim);
      if (d) {
        d.open = true;
        document.getElementById("claim-" + state.claim).scrollIntoView();
      }
    }
    apply();
  }
  Object.keys(selects).forEach(function (key) {
    selects[key].addEventListener("change", writeHash);
  });
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () {
    setAll(false);
  });
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
    d.addEventListener("toggle", countVisible);
  });
  window.addEventListener("hashchange", fromHash);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("sorted-asc");
      Array.prototype.forEach.call(th.parentNode.cells, function (c) {
        c.classList.remove("sorted-asc", "sorted-desc");
      });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      function key(group) {
        var cell = group.rows[0].cells[index];
        return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort")
                                              : cell.textContent;
      }
      var sorted = groups();
      sorted.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? cmp : -cmp;
      });
      sorted.forEach(function (group) { table.appendChild(group); });
    });
  });
  fromHash();
  window.addEventListener("load", function () {
    var images = document.images, ok = 0, failed = [];
    Array.prototype.forEach.call(images, function (img) {
      if (img.complete && img.naturalWidth > 0) ok += 1;
      else failed.push(img.getAttribute("alt"));
    });
    document.body.setAttribute("data-images", ok + "/" + images.length);
    document.body.setAttribute("data-images-failed", failed.join("; "));
    countVisible();
  });
})();
