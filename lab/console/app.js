// autopilotsim lab console: renders the lab's state from the event stream
// and calls the control API for every change (no second path).
"use strict";
(function () {
  const hashKey = new URLSearchParams(location.hash.slice(1)).get("key");
  if (hashKey) { sessionStorage.setItem("labKey", hashKey); }
  const key = sessionStorage.getItem("labKey") || "";
  let state = null, selected = null;
  const $ = (s) => document.querySelector(s);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  // Whole seconds: the lab's clock follows the wall clock between events.
  const secs = (s) => String(s || "").replace(/\.\d+(s|Z)$/, "$1").replace(/(\d)\.\d+s$/, "$1s");

  // setHTML replaces an element's content only when it changed: the state
  // arrives with every tick of the clock, and a button rebuilt between
  // mousedown and mouseup would swallow the click.
  const shown = new WeakMap();
  function setHTML(el, html) {
    if (shown.get(el) !== html) { el.innerHTML = html; shown.set(el, html); }
  }

  function say(text, err) { const m = $("#message"); m.textContent = text; m.className = err ? "err" : ""; }

  async function call(path, body) {
    const res = await fetch("/lab/v1/" + path, {
      method: "POST",
      headers: { "Authorization": "Bearer " + key, "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const out = await res.json().catch(() => ({}));
    if (!res.ok) { say((out.error && out.error.message) || res.statusText, true); return false; }
    say("done: " + path);
    return true;
  }

  function renderClock(st) {
    const c = st.clock;
    $("#scenario").textContent = "— " + st.scenario;
    $("#clock").textContent = "lab time " + secs(c.now) + "  (T0 " + (st.sinceT0.startsWith("-") ? "" : "+") + st.sinceT0 + ")  speed " + c.speed + "x" + (c.paused ? "  PAUSED" : "");
    $("#clock").dataset.paused = c.paused;
  }

  function renderFleet(st) {
    const rows = st.devices.map((d) => {
      const r = d.result;
      const actions = d.poweredOn
        ? '<button data-op="reset" data-serial="' + esc(d.serial) + '">Reset</button>'
        : '<button data-op="powerOn" data-serial="' + esc(d.serial) + '">Power on</button>';
      return '<tr data-serial="' + esc(d.serial) + '"' + (selected === d.serial ? ' class="sel"' : "") + ">" +
        "<td><a href=\"#\" data-show=\"" + esc(d.serial) + '">' + esc(d.serial) + "</a></td>" +
        "<td>" + esc(d.groupTag) + "</td><td>" + esc(d.location) + "</td><td>" + esc(d.vpn) + "</td>" +
        '<td class="stage">' + esc(d.poweredOn ? d.stage : "off") + "</td>" +
        '<td class="outcome o-' + esc(d.outcome) + '">' + esc(d.outcome) + (r.failedStage ? " at " + esc(r.failedStage) + " (" + esc(r.errorCode) + ")" : "") + "</td>" +
        '<td class="small">' + esc(r.distinguishedName) + "</td><td>" + actions + "</td></tr>";
    });
    setHTML($("#fleet tbody"), rows.join(""));
    const loc = $("#add select[name=location]");
    if (loc.options.length !== st.networks.length) {
      loc.innerHTML = st.networks.map((n) => "<option>" + esc(n) + "</option>").join("");
    }
    renderDetail(st);
  }

  function renderDetail(st) {
    const d = st.devices.find((x) => x.serial === selected);
    if (!d) { setHTML($("#detail"), ""); return; }
    const r = d.result, x = r.explanation;
    let h = "<h3>" + esc(d.serial) + " — " + esc(d.outcome) + "</h3>";
    if (x && d.outcome !== "pending") {
      h += '<div class="explain"><div><strong>' + esc(x.stage) + " " + esc(x.code) + "</strong> " + esc(x.meaning) + "</div>" +
        "<div>Cause: " + esc(x.cause) + "</div><div>Fix: " + esc(x.fix) + "</div>" +
        (x.docUrl ? '<div class="small"><a href="' + esc(x.docUrl) + '">' + esc(x.docTitle || x.docUrl) + "</a></div>" : "") + "</div>";
    }
    h += '<table class="timeline"><thead><tr><th>T0+</th><th>Actor</th><th>Step</th><th>Detail</th></tr></thead><tbody>' +
      (r.timeline || []).map((t) => "<tr><td>" + esc(secs(t.offset)) + "</td><td>" + esc(t.actor) + "</td><td>" + esc(t.step) + "</td><td>" + esc(t.detail) + "</td></tr>").join("") +
      "</tbody></table>";
    setHTML($("#detail"), h);
  }

  function renderConnectors(st) {
    setHTML($("#connectors tbody"), (st.connectors || []).map((c) =>
      "<tr><td>" + esc(c.name) + "</td><td>" + esc(c.domain) + '</td><td class="' + (c.running ? "running" : "stopped") + '">' + (c.running ? "running" : "stopped") + "</td>" +
      '<td><button data-op="connector" data-name="' + esc(c.name) + '" data-action="' + (c.running ? "down" : "up") + '">' + (c.running ? "Stop" : "Start") + "</button></td></tr>").join(""));
  }

  function list(items) { return items && items.length ? items.map(esc).join("<br>") : '<span class="small">none</span>'; }

  function renderTenant(st) {
    const t = st.tenant;
    const prof = (title, ps) => "<h3>" + title + "</h3><table><thead><tr><th>Name</th><th>Settings</th><th>Assigned to</th><th>Excluded</th></tr></thead><tbody>" +
      (ps || []).map((p) => "<tr><td>" + esc(p.name) + "</td><td>" + esc(p.detail) + "</td><td>" + esc(p.include) + "</td><td>" + esc(p.exclude) + "</td></tr>").join("") + "</tbody></table>";
    setHTML($("#tenant"), "<h3>Groups</h3><table><thead><tr><th>Name</th><th>Rule</th><th>Members</th></tr></thead><tbody>" +
      (t.groups || []).map((g) => "<tr><td>" + esc(g.name) + '</td><td class="small">' + esc(g.rule || "assigned") + "</td><td>" + list(g.members) + "</td></tr>").join("") +
      "</tbody></table>" + prof("Deployment profiles", t.deploymentProfiles) + prof("Domain Join profiles", t.domainJoinProfiles) + prof("Enrollment Status Page", t.espProfiles));
  }

  // The OU tree: parents before children, indented by depth below the
  // domain (DNs compared from the domain down).
  function ouTree(ous, base) {
    const path = (dn) => dn.split(",").reverse().map((x) => x.trim().toLowerCase());
    const depth = (dn) => dn.split(",").length - base.split(",").length;
    return (ous || []).slice().sort((a, b) => path(a).join(",").localeCompare(path(b).join(",")))
      .map((dn) => '<div style="padding-left:' + (depth(dn) - 1) * 18 + 'px">' + esc(dn.split(",")[0]) + ' <span class="small">' + esc(dn) + "</span></div>").join("") ||
      '<span class="small">none</span>';
  }

  function renderDirectory(st) {
    setHTML($("#directory"), (st.directories || []).map((d) =>
      "<h3>" + esc(d.domain) + ' <span class="small">' + esc(d.baseDN) + "</span></h3><table><tbody>" +
      "<tr><th>OUs</th><td>" + ouTree(d.ous, d.baseDN) + "</td></tr><tr><th>Computers</th><td>" + list(d.computers) + "</td></tr>" +
      "<tr><th>Delegations</th><td>" + list(d.delegations) + "</td></tr><tr><th>Quota</th><td>" + esc(d.quota) + "</td></tr></tbody></table>").join(""));
  }

  function render(st) {
    state = st;
    renderClock(st); renderFleet(st); renderConnectors(st); renderTenant(st); renderDirectory(st);
  }

  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-op], a[data-show]");
    if (!b) { return; }
    ev.preventDefault();
    if (b.dataset.show) { selected = b.dataset.show; if (state) { renderFleet(state); } return; }
    if (b.dataset.op === "powerOn" || b.dataset.op === "reset") { selected = b.dataset.serial; call("devices/" + encodeURIComponent(b.dataset.serial) + "/" + b.dataset.op); }
    if (b.dataset.op === "connector") { call("connectors/" + encodeURIComponent(b.dataset.name) + "/" + b.dataset.action); }
  });
  $("#pause").onclick = () => call("clock/pause");
  $("#resume").onclick = () => call("clock/resume");
  $("#setspeed").onclick = () => call("clock/speed", { speed: Number($("#speed").value) });
  $("#jump").onclick = () => call("clock/advance", { by: $("#advance").value });
  $("#add").onsubmit = (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    call("devices", { serial: f.get("serial"), groupTag: f.get("groupTag"), location: f.get("location"), vpn: f.get("vpn") }).then((ok) => { if (ok) { ev.target.reset(); } });
  };

  const es = new EventSource("/lab/v1/events?key=" + encodeURIComponent(key));
  es.addEventListener("state", (ev) => render(JSON.parse(ev.data)));
  es.onerror = () => say("event stream interrupted; retrying…", true);
})();
