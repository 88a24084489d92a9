(function () {
  "use strict";
  // Everything from the results goes into the page through textContent and
  // setAttribute, never as markup.
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 60;
  var SVGNS = "http:/" + "/www.w3.org/2000/svg"; // the SVG namespace name, not a resource
  var DOCS = "https:/" + "/learn.microsoft.com/"; // the prefix a documentation link must have, not a resource
  var LANE_COLORS = ["#0969da", "#8250df", "#bc4c00", "#1a7f37", "#bf3989", "#57606a"];
  var OUTCOME_COLORS = { hybridJoined: "#1a7f37", entraJoined: "#0969da", domainJoinedNotRegistered: "#bf8700",
    failed: "#cf222e", notAutopilot: "#6e7781", pending: "#8250df" };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // str expands string i for device d: "\x1bN;" stands for the device's Nth var.
  function str(i, d) {
    var s = D.str[i];
    if (!d || s.indexOf("\x1b") < 0) return s;
    return s.replace(/\x1b(\d+);/g, function (_, n) { return D.str[d.v[+n]]; });
  }
  // fmtDur writes milliseconds as Go's time.Duration.String does.
  function fmtDur(ms) {
    if (ms === 0) return "0s";
    var neg = ms < 0; if (neg) ms = -ms;
    var h = Math.floor(ms / 3600000), m = Math.floor(ms % 3600000 / 60000), s = ms % 60000 / 1000;
    var out = "";
    if (h) out += h + "h";
    if (h || m) out += m + "m";
    out += (Math.round(s * 1000) / 1000) + "s";
    return (neg ? "-" : "") + out;
  }

  // unfold gives [ms from T0, template] pairs from time deltas (seconds),
  // the group's templates with repeats folded, and the device's repeats.
  function unfold(deltas, shape, repeats) {
    var runs = {}, seq = [], out = [], t = 0, i, k;
    for (i = 0; repeats && i < repeats.length; i += 2) runs[repeats[i]] = repeats[i + 1];
    for (i = 0; shape && i < shape.length; i++) for (k = 0; k < (runs[i] || 1); k++) seq.push(shape[i]);
    for (i = 0; deltas && i < deltas.length; i++) { t += Math.round(deltas[i] * 1000); out.push([t, seq[i]]); }
    return out;
  }
  function timeline(d) { return unfold(d.t, D.groups[d.g].q, d.n); }
  function events(d) { return unfold(d.e, D.groups[d.g].eq, d.en); }

  // ---- filtering -------------------------------------------------------
  var state = { outcome: "", q: "", failingOnly: false };
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.group"));
  var cardState = {}; // group id -> {page, list, open}

  function matches(g) {
    var devs = D.groups[g].d;
    if (!state.q) return devs;
    var q = state.q, out = [];
    for (var i = 0; i < devs.length; i++) if (D.dev[devs[i]].s.toLowerCase().indexOf(q) >= 0) out.push(devs[i]);
    return out;
  }

  function apply() {
    var total = 0, shownDevs = [], visibleScenarios = {};
    cards.forEach(function (card) {
      var g = +card.getAttribute("data-group"), grp = D.groups[g];
      var list = matches(g);
      var show = (!state.outcome || grp.o === state.outcome) && list.length > 0;
      card.hidden = !show;
      var st = cardState[g] || (cardState[g] = { page: 0, open: -1 });
      if (st.list === undefined || st.list.length !== list.length || st.q !== state.q) { st.page = 0; }
      st.list = list; st.q = state.q;
      if (show) {
        total += list.length;
        if (shownDevs.length < 2) shownDevs = shownDevs.concat(list.slice(0, 2));
        visibleScenarios[grp.sc] = true;
        renderSerials(card, st);
      }
    });
    var filtering = state.outcome || state.q;
    document.querySelectorAll("section.scenario").forEach(function (sec, i) {
      var hide = (state.failingOnly && sec.getAttribute("data-passed") === "true") || (filtering && !visibleScenarios[i]);
      sec.hidden = hide;
      var row = document.querySelector('tr[data-scenario="' + sec.id + '"]');
      if (row) row.hidden = hide;
    });
    var info = document.getElementById("match-info");
    info.textContent = filtering ? total + (total === 1 ? " device matches" : " devices match") : "";
    // One device found by serial: open it, the reader came for it.
    if (state.q && total === 1) {
      var d = shownDevs[0], card = cardFor(D.dev[d].g);
      openDevice(card, d);
    }
  }
  function cardFor(g) { return document.querySelector('article.group[data-group="' + g + '"]'); }

  document.getElementById("search").addEventListener("input", function (e) {
    state.q = e.target.value.trim().toLowerCase(); apply();
  });
  document.getElementById("failing-only").addEventListener("change", function (e) {
    state.failingOnly = e.target.checked; apply();
  });
  document.querySelectorAll("#outcome-filter button").forEach(function (b) {
    b.addEventListener("click", function () {
      state.outcome = b.getAttribute("data-outcome");
      document.querySelectorAll("#outcome-filter button").forEach(function (o) {
        o.setAttribute("aria-pressed", o === b ? "true" : "false");
      });
      apply();
    });
  });

  // ---- serial lists, one page at a time ---------------------------------
  function renderSerials(card, st) {
    var box = card.querySelector("[data-devices]");
    var keep = box.querySelector(".device");
    box.textContent = "";
    var list = st.list, pages = Math.ceil(list.length / PAGE);
    if (st.page >= pages) st.page = Math.max(0, pages - 1);
    var ul = el("div", { class: "serials", role: "list" });
    // run --timeline failed|none leaves timelines out: say "devices", not
    // "timelines", for a list none of which has one
    var withTimeline = list.some(function (di) { return D.dev[di].t.length > 0; });
    list.slice(st.page * PAGE, st.page * PAGE + PAGE).forEach(function (di) {
      var b = el("button", { type: "button", role: "listitem", "data-serial": D.dev[di].s,
        "aria-expanded": st.open === di ? "true" : "false", title: withTimeline ? "show timeline" : "show details" }, D.dev[di].s);
      b.addEventListener("click", function () {
        if (st.open === di) { st.open = -1; renderSerials(card, st); return; }
        openDevice(card, di);
      });
      ul.appendChild(b);
    });
    var noun = withTimeline ? "timeline" : "device";
    var hint = el("span", { class: "hint" }, noun + (list.length === 1 ? ":" : "s:"));
    ul.insertBefore(hint, ul.firstChild);
    box.appendChild(ul);
    if (pages > 1) {
      var pg = el("div", { class: "pager" });
      var prev = el("button", { type: "button" }, "‹ previous"), next = el("button", { type: "button" }, "next ›");
      prev.disabled = st.page === 0; next.disabled = st.page >= pages - 1;
      prev.addEventListener("click", function () { st.page--; renderSerials(card, st); });
      next.addEventListener("click", function () { st.page++; renderSerials(card, st); });
      pg.appendChild(prev);
      pg.appendChild(el("span", {}, "page " + (st.page + 1) + " of " + pages + " · " + list.length + " devices"));
      pg.appendChild(next);
      box.appendChild(pg);
    }
    if (keep && st.open >= 0 && list.indexOf(st.open) >= 0) box.appendChild(keep);
    else if (st.open >= 0 && list.indexOf(st.open) < 0) st.open = -1;
  }

  function openDevice(card, di) {
    var g = +card.getAttribute("data-group"), st = cardState[g];
    var i = st.list.indexOf(di);
    if (i >= 0) st.page = Math.floor(i / PAGE);
    st.open = di;
    renderSerials(card, st);
    var box = card.querySelector("[data-devices]");
    var old = box.querySelector(".device");
    if (old) old.remove();
    var view = deviceView(di);
    box.appendChild(view.el);
    view.draw(); // after it is in the page, so it can take the width it has
  }

  // ---- one device --------------------------------------------------------
  function deviceView(di) {
    var d = D.dev[di], grp = D.groups[d.g], f = d.f;
    var wrap = el("div", { class: "device", "data-device": d.s });
    wrap.appendChild(el("h3", {}, d.s + " — " + grp.o));
    var dl = el("dl", { class: "facts" });
    function fact(k, v) { if (v !== "" && v !== undefined) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); } }
    fact("Outcome", grp.o);
    fact("Failed stage", grp.st || "");
    fact("Error code", grp.c || "");
    fact("Connector error", f[8] >= 0 ? String(f[8]) : "");
    fact("Computer name", str(f[1], d));
    fact("Distinguished name", str(f[2], d));
    fact("Powered on", str(f[3], d));
    fact("Finished", str(f[4], d));
    fact("Profile source", str(f[5], d));
    fact("Registration", str(f[6], d));
    fact("Entra device objects", String(f[7]) + (str(f[9], d) ? " \u2014 " + str(f[9], d) : ""));
    fact("Local administrators", str(f[10], d));
    fact("Conditional Access", str(f[11], d));
    fact("What happened", str(f[0], d));
    wrap.appendChild(dl);
    // a group of one shows the explanation on its card already
    if (grp.x && grp.d.length > 1) wrap.appendChild(explanation(grp.x, d));
    wrap.appendChild(legend());
    var tl = el("div", { class: "timeline" });
    wrap.appendChild(tl);
    wrap.appendChild(entryTable(d));
    if (d.e && d.e.length) wrap.appendChild(eventTable(d));
    if (d.r >= 0) wrap.appendChild(dsreg(d));
    return { el: wrap, draw: function () {
      if (!d.t.length) { tl.appendChild(el("p", { class: "empty" }, "No timeline for this device in these results: run --timeline failed keeps only the timelines of devices the diagnosis explains, --timeline none keeps none, --timeline all keeps every device's.")); return; }
      tl.appendChild(drawTimeline(d, grp, Math.max(760, tl.clientWidth - 2)));
    } };
  }

  // explanation is the device's own: the group's, with its names and IDs.
  function explanation(x, d) {
    var box = el("div", { class: "explanation" });
    function row(label, v) {
      if (!v) return;
      var p = el("p"); p.appendChild(el("span", { class: "label" }, label)); p.appendChild(document.createTextNode(" " + v)); box.appendChild(p);
    }
    var code = str(x[1], d), meaning = str(x[2], d);
    if (code) {
      var p = el("p", { class: "code-line" }); p.appendChild(el("b", { class: "code" }, code));
      if (meaning) p.appendChild(document.createTextNode(" — " + meaning));
      box.appendChild(p);
    }
    row("On screen", str(x[5], d) ? "“" + str(x[5], d) + "”" : "");
    row("Stage", str(x[0], d));
    row("Likely cause", str(x[3], d));
    row("Fix", str(x[4], d));
    var url = str(x[6], d);
    if (url.indexOf(DOCS) === 0) { // only documentation links, never a script URL
      var p2 = el("p"); p2.appendChild(el("span", { class: "label" }, "Microsoft docs")); p2.appendChild(document.createTextNode(" "));
      p2.appendChild(el("a", { href: url, rel: "noreferrer" }, str(x[7], d) || url));
      box.appendChild(p2);
    }
    return box;
  }

  function legend() {
    var p = el("div", { class: "legend" });
    function item(style, text) { var s = el("span"); var i = el("i", { style: style }); s.appendChild(i); s.appendChild(document.createTextNode(text)); p.appendChild(s); }
    item("background:#dbe9fb", "stage");
    item("background:repeating-linear-gradient(45deg,#d4a72c 0 2px,#fff6d6 2px 5px)", "wait");
    item("background:repeating-linear-gradient(45deg,#e5534b 0 2px,#ffe3e3 2px 5px)", "wait that ran out");
    item("border-radius:50%;background:#fff", "the system a step talks to");
    p.appendChild(el("span", {}, "Spacing is compressed: long gaps are drawn shorter; hover a mark for its time and detail."));
    return p;
  }

  function drawTimeline(d, grp, width) {
    var entries = [], i;
    timeline(d).forEach(function (te) {
      var tp = D.tpl[te[1]];
      entries.push({ t: te[0], tpl: tp, actor: str(tp[0], d), step: D.str[tp[1]], detail: str(tp[2], d), lane: tp[3], touch: tp[4] });
    });
    entries.sort(function (a, b) { return a.t - b.t; }); // stable: same-time entries keep their order
    var lanes = [0, 1, 2, 3, 4];
    if (entries.some(function (e) { return e.lane === 5; })) lanes.push(5);
    var LW = 150, LH = 54, TOP = 30, AX = 34, PAD = 20;
    var laneY = {}; lanes.forEach(function (l, i) { laneY[l] = TOP + i * LH + LH / 2; });
    var H = TOP + lanes.length * LH + AX;
    // x: one slot per entry; a gap of g ms advances MIN + k·log(1 + g/10s),
    // except within a run of one repeated step (a retry loop), which is
    // drawn at MIN a step: the band over it tells how long it took.
    var MIN = 14, SAME = 11, logs = 0, fixed = 0;
    function weight(i) {
      return entries[i].tpl === entries[i - 1].tpl ? 0 : Math.log(1 + (entries[i].t - entries[i - 1].t) / 10000);
    }
    for (i = 1; i < entries.length; i++) {
      logs += weight(i);
      fixed += entries[i].t === entries[i - 1].t ? SAME : MIN;
    }
    var RIGHT = 90; // room for the last labels
    var avail = width - LW - PAD - RIGHT - fixed, k = logs > 0 ? Math.max(6, avail / logs) : 0;
    var x = LW + PAD;
    for (i = 0; i < entries.length; i++) {
      if (i > 0) {
        var g = entries[i].t - entries[i - 1].t;
        x += g === 0 ? SAME : MIN + k * weight(i);
      }
      entries[i].x = x;
    }
    var W = Math.max(width, x + RIGHT);
    var svg = sv("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "timeline of " + d.s, "class": "lanes" });
    // lanes
    lanes.forEach(function (l, i) {
      var y = TOP + i * LH;
      svg.appendChild(sv("rect", { x: 0, y: y, width: W, height: LH, fill: i % 2 ? "#ffffff" : "#f6f8fa", "class": "lane", "data-lane": D.lanes[l] }));
      svg.appendChild(sv("rect", { x: 0, y: y, width: 5, height: LH, fill: LANE_COLORS[l] }));
      svg.appendChild(sv("text", { x: 12, y: y + LH / 2 + 4, "font-size": 12, "font-weight": 600, fill: "#1f2328" }, D.lanes[l]));
    });
    svg.appendChild(sv("line", { x1: LW, y1: TOP, x2: LW, y2: TOP + lanes.length * LH, stroke: "#d1d9e0" }));
    // bands: stages and waits, opened and closed by entries
    var open = {}, bandsDrawn = [], outcomeAt = null;
    entries.forEach(function (e) {
      var tp = e.tpl;
      for (var b = 0; b < D.bands.length; b++) {
        if ((tp[6] >> b) & 1 && open[b]) { bandsDrawn.push({ b: b, from: open[b], to: e }); delete open[b]; }
      }
      if (tp[5] >= 0 && !open[tp[5]]) open[tp[5]] = e;
      if (e.lane === 0 && e.step === "outcome") outcomeAt = e;
    });
    var last = entries[entries.length - 1];
    for (var b in open) bandsDrawn.push({ b: +b, from: open[b], to: outcomeAt || last });
    var failed = grp.o === "failed";
    var labelsBelow = {};
    bandsDrawn.forEach(function (bd) {
      var def = D.bands[bd.b], x1 = bd.from.x, x2 = bd.to.x, y = laneY[def.lane];
      if (bd.to.t === bd.from.t) return;
      var ranOut = def.wait && failed && outcomeAt && bd.to.t === outcomeAt.t;
      var r = sv("rect", { x: x1, y: y - 7, width: x2 - x1, height: 14, rx: 3,
        fill: def.wait ? (ranOut ? "url(#hatch-fail)" : "url(#hatch)") : "#dbe9fb",
        stroke: def.wait ? (ranOut ? "#e5534b" : "#d4a72c") : "#9ec2f0", "class": def.wait ? "band wait" : "band stage" });
      var dur = fmtDur(bd.to.t - bd.from.t);
      r.appendChild(sv("title", {}, def.label + ": " + fmtDur(bd.from.t) + " → " + fmtDur(bd.to.t) + " (" + dur + ")"));
      svg.appendChild(r);
      var text = def.label + " · " + dur;
      if (text.length * 5.6 > x2 - x1) text = dur;
      if (text.length * 5.6 <= x2 - x1 + 30) {
        svg.appendChild(sv("text", { x: (x1 + x2) / 2, y: y + 21, "font-size": 10, "text-anchor": "middle", fill: ranOut ? "#a40e26" : "#6e5200" }, text));
        labelsBelow[def.lane] = true;
      }
    });
    // touches first (under the marks), then marks
    entries.forEach(function (e) {
      if (e.touch < 0 || laneY[e.touch] === undefined) return;
      svg.appendChild(sv("line", { x1: e.x, y1: laneY[e.lane], x2: e.x, y2: laneY[e.touch], stroke: "#afb8c1", "stroke-dasharray": "2 3" }));
      var c = sv("circle", { cx: e.x, cy: laneY[e.touch], r: 4, fill: "#fff", stroke: LANE_COLORS[e.touch], "stroke-width": 1.6, "class": "touch" });
      c.appendChild(sv("title", {}, fmtDur(e.t) + " · " + e.actor + " → " + D.lanes[e.touch] + " · " + e.step + "\n" + e.detail));
      svg.appendChild(c);
    });
    var lastLabel = {};
    entries.forEach(function (e) {
      var y = laneY[e.lane], isOutcome = e.lane === 0 && e.step === "outcome";
      // red: something failed; amber: a retry that the flow expects (not synced yet, throttled)
      var bad = /timed out|could not|failed|Failure/i.test(e.detail + " " + e.step);
      var retry = !bad && /error|not found|throttled|HTTP \d/i.test(e.detail);
      var color = isOutcome ? (OUTCOME_COLORS[grp.o] || "#57606a") : (bad ? "#cf222e" : retry ? "#bf8700" : LANE_COLORS[e.lane]);
      var m = sv("circle", { cx: e.x, cy: y, r: isOutcome ? 7 : 5, fill: color, stroke: "#fff", "stroke-width": 1.5, "class": "mark", "data-step": e.step });
      m.appendChild(sv("title", {}, fmtDur(e.t) + " · " + e.actor + " · " + e.step + "\n" + e.detail));
      svg.appendChild(m);
      var label = /^event \d+/.test(e.step) ? e.step.match(/^event \d+/)[0] : e.step;
      if (isOutcome) return;
      var w = label.length * 5.8, lx = Math.min(e.x - 4, W - w - 4);
      if (lastLabel[e.lane] === label) return;
      if (lastLabel[e.lane + "x"] !== undefined && lx < lastLabel[e.lane + "x"] + 4) return;
      svg.appendChild(sv("text", { x: lx, y: y - 11, "font-size": 10, fill: "#424a53" }, label));
      lastLabel[e.lane] = label; lastLabel[e.lane + "x"] = lx + w;
    });
    // the outcome: a line through every lane, and what happened
    if (outcomeAt) {
      var oc = OUTCOME_COLORS[grp.o] || "#57606a", ox = outcomeAt.x;
      svg.appendChild(sv("line", { x1: ox, y1: TOP - 6, x2: ox, y2: TOP + lanes.length * LH, stroke: oc, "stroke-width": failed ? 2 : 1.2, "stroke-dasharray": failed ? "" : "4 3", "class": failed ? "failure-point" : "outcome-point" }));
      var what = (failed ? "✕ failed" : "■ " + grp.o) + (grp.st ? " at " + grp.st : "") + (grp.c ? " · " + grp.c : "") + " · " + fmtDur(outcomeAt.t);
      var anchor = ox > W * 0.6 ? "end" : "start";
      svg.appendChild(sv("text", { x: anchor === "end" ? ox - 6 : ox + 6, y: TOP - 10, "font-size": 12, "font-weight": 700, fill: oc, "text-anchor": anchor }, what));
      var mk = sv("text", { x: ox, y: laneY[0] + 4, "font-size": 10, "font-weight": 700, fill: "#fff", "text-anchor": "middle" }, failed ? "✕" : "");
      svg.appendChild(mk);
    }
    // the axis: offsets from T0, the important ones first
    var axY = TOP + lanes.length * LH;
    svg.appendChild(sv("line", { x1: LW, y1: axY, x2: W, y2: axY, stroke: "#8c959f" }));
    svg.appendChild(sv("text", { x: 12, y: axY + 20, "font-size": 11, fill: "#59636e" }, "simulated clock"));
    var placed = [], order = [];
    if (outcomeAt) order.push(outcomeAt);
    order.push(entries[0], last);
    entries.forEach(function (e, i) { if (i === 0 || e.t !== entries[i - 1].t) order.push(e); });
    var done = {};
    order.forEach(function (e) {
      if (done[e.t]) return;
      var txt = fmtDur(e.t), w = txt.length * 6.6, x1 = e.x - w / 2;
      for (var j = 0; j < placed.length; j++) if (x1 < placed[j][1] + 10 && x1 + w > placed[j][0] - 10) return;
      done[e.t] = true; placed.push([x1, x1 + w]);
      svg.appendChild(sv("line", { x1: e.x, y1: axY, x2: e.x, y2: axY + 4, stroke: "#8c959f" }));
      svg.appendChild(sv("text", { x: e.x, y: axY + 16, "font-size": 10.5, fill: "#424a53", "text-anchor": "middle" }, txt));
    });
    return svg;
  }

  function entryTable(d) {
    var det = el("details", {});
    det.appendChild(el("summary", {}, "Timeline entries (" + d.t.length + ")"));
    var t = el("table", { class: "rows" });
    timeline(d).forEach(function (te) {
      var tp = D.tpl[te[1]], tr = el("tr");
      tr.appendChild(el("td", {}, fmtDur(te[0])));
      tr.appendChild(el("td", {}, D.lanes[tp[3]]));
      tr.appendChild(el("td", {}, str(tp[0], d)));
      tr.appendChild(el("td", {}, D.str[tp[1]]));
      tr.appendChild(el("td", { class: "msg" }, str(tp[2], d)));
      t.appendChild(tr);
    });
    det.appendChild(t);
    return det;
  }

  function eventTable(d) {
    var det = el("details", { open: "" });
    det.appendChild(el("summary", {}, "Windows events (" + d.e.length + ") — as Event Viewer shows them"));
    var t = el("table", { class: "rows events" });
    var h = el("tr");
    ["Time", "Machine", "Log", "Event ID", "Level", "Message"].forEach(function (c) { h.appendChild(el("th", {}, c)); });
    t.appendChild(h);
    events(d).forEach(function (te) {
      var ev = D.ev[te[1]], tr = el("tr"), lvl = D.str[ev[3]];
      tr.appendChild(el("td", {}, fmtDur(te[0])));
      tr.appendChild(el("td", {}, str(ev[0], d)));
      tr.appendChild(el("td", {}, D.str[ev[1]]));
      tr.appendChild(el("td", {}, String(ev[2])));
      tr.appendChild(el("td", { class: "lvl-" + lvl }, lvl));
      var msg = el("td", { class: "msg" }, str(ev[4], d));
      for (var j = 5; j + 1 < ev.length; j += 2) {
        msg.appendChild(el("br"));
        msg.appendChild(el("span", { class: "mono" }, D.str[ev[j]] + ": " + str(ev[j + 1], d)));
      }
      tr.appendChild(msg);
      t.appendChild(tr);
    });
    det.appendChild(t);
    return det;
  }

  function dsreg(d) {
    var det = el("details", { open: "" });
    det.appendChild(el("summary", {}, "dsregcmd /status"));
    // laid out as dsregcmd /status prints it: sections, names right-aligned
    var row = D.ds[d.r], lines = [], rule = "+" + "-".repeat(70) + "+";
    D.dsSections.forEach(function (sec) {
      var body = [];
      for (var i = sec.from; i < sec.to; i++) {
        var v = str(row[i], d);
        if (v !== "") body.push(" ".repeat(Math.max(0, 26 - D.dsNames[i].length)) + D.dsNames[i] + " : " + v);
      }
      if (!body.length) return;
      lines.push(rule, "| " + sec.title + " ".repeat(69 - sec.title.length) + "|", rule, "");
      lines.push.apply(lines, body);
      lines.push("");
    });
    det.appendChild(el("pre", { class: "dsreg" }, lines.join("\n")));
    return det;
  }

  apply();
})();
