"""The report page's style sheet and script, inlined into every report (no network, no fonts)."""

CSS = """
:root { color-scheme: dark; --bg: #15171a; --panel: #1d2024; --line: #2c3036; --text: #d8dde3;
  --dim: #8a939d; --accent: #f5c542; --calm: #3d7dd8; --tension: #d9952b; --battle: #d8453d;
  --label-w: 180px; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { padding: 12px 16px 8px; }
h1 { font-size: 18px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 14px; margin: 16px 16px 8px; font-weight: 600; }
.facts { color: var(--dim); margin: 0; }
.facts b { color: var(--text); font-weight: 600; }
.warnings { margin: 4px 16px; color: #f3d9a4; }
.players { display: flex; gap: 16px; padding: 0 16px 12px; flex-wrap: wrap; align-items: flex-start; }
video.picture { width: min(640px, 100%); background: #000; display: block; }
.note { background: #3a2a10; color: #f3d9a4; padding: 6px 8px; border-radius: 4px; max-width: 640px;
  margin: 6px 0 0; }
.stems { min-width: 320px; }
.stems h2 { margin: 0 0 6px; }
.stems ul { list-style: none; padding: 0; margin: 0; }
.stems li { display: flex; gap: 8px; align-items: center; margin: 2px 0; }
.stems .name { min-width: 150px; font-family: ui-monospace, monospace; font-size: 12px; }
.stems label { color: var(--dim); font-size: 11px; white-space: nowrap; }
audio.stem { height: 28px; width: 260px; }
.toolbar { display: flex; gap: 16px; align-items: center; padding: 6px 16px; background: var(--panel);
  border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); position: sticky; top: 0;
  z-index: 6; flex-wrap: wrap; }
#readout { font-family: ui-monospace, monospace; color: var(--accent); min-width: 290px; }
#info { color: var(--dim); white-space: pre-line; flex: 1; min-height: 2.8em; font-size: 12px; }
.keys { color: var(--dim); font-size: 11px; }
.timeline { display: flex; border-bottom: 1px solid var(--line); }
.labels { flex: 0 0 var(--label-w); border-right: 1px solid var(--line); background: var(--panel); }
.label { padding: 0 8px; display: flex; align-items: center; border-bottom: 1px solid var(--line);
  overflow: hidden; white-space: nowrap; font-size: 12px; }
.label small { color: var(--dim); margin-left: 6px; font-size: 10px; }
.scroller { flex: 1; overflow-x: auto; overflow-y: hidden; position: relative; }
.inner { position: relative; min-width: 100%; cursor: crosshair; }
.track { position: relative; border-bottom: 1px solid var(--line); overflow: hidden; }
.track > div, .track > span { position: absolute; }
svg.plot, svg.bedplot { position: absolute; left: 0; top: 0; width: 100%; height: 100%; overflow: visible; }
svg.backdrop { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
svg path, svg polyline, svg polygon { vector-effect: non-scaling-stroke; }
.backdrop .bar { stroke: rgba(255, 255, 255, 0.07); stroke-width: 1; }
.backdrop .cut { stroke: rgba(245, 197, 66, 0.2); stroke-width: 1; }
.playhead { position: absolute; top: 0; bottom: 0; width: 0; border-left: 1px solid var(--accent);
  pointer-events: none; z-index: 4; left: 0; }
.ruler span { position: absolute; top: 0; height: 100%; padding: 3px 0 0 3px; color: var(--dim);
  font: 10px ui-monospace, monospace; border-left: 1px solid var(--line); white-space: nowrap; }
.thumb { top: 2px; bottom: 2px; background-color: #000; background-size: auto 100%;
  background-repeat: repeat-x; background-position: left center; border-right: 1px solid var(--bg); }
.shot { top: 3px; bottom: 3px; border-right: 1px solid var(--bg); }
.shot.calm, .key.calm { background: var(--calm); }
.shot.tension, .key.tension { background: var(--tension); }
.shot.battle, .key.battle { background: var(--battle); }
.key { display: inline-block; width: 8px; height: 8px; margin: 0 2px 0 5px; border-radius: 2px; }
.cut { top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #f2f2f2; z-index: 1; }
.cut.dissolve, .cut.fade_in, .cut.fade_out { background: #9ad0ff; }
.span { top: 4px; bottom: 4px; background: rgba(154, 208, 255, 0.25); }
.span.fade_in, .span.fade_out { background: rgba(150, 150, 150, 0.35); }
.motion { fill: none; stroke-width: 1.2; }
.motion.camera, .key.camera { stroke: #5fb3ff; background: #5fb3ff; }
.motion.subject, .key.subject { stroke: #ff9f43; background: #ff9f43; }
.motion.values, .key.values { stroke: #e8e8e8; background: #e8e8e8; stroke-width: 1.6; }
.impact { bottom: 0; width: 3px; margin-left: -1px; background: #ff5a4e; }
.flash { bottom: 0; min-width: 3px; background: rgba(255, 240, 150, 0.85); }
.region { top: 3px; bottom: 3px; }
.region.speech { background: #4caf7d; }
.region.sound { background: #7d6bd1; }
.beat { stroke: #555b63; stroke-width: 1; }
.bar { stroke: #a9b1bb; stroke-width: 1; }
.barno { top: 0; font: 9px ui-monospace, monospace; color: var(--dim); padding-left: 2px; }
.barno.hide { display: none; }
.tempo { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.segment { bottom: 1px; font-size: 10px; padding-left: 3px; white-space: nowrap;
  border-left: 1px solid var(--accent); }
.hit { bottom: 0; width: 3px; margin-left: -1px; }
.hit.on { background: #4caf7d; }
.hit.near { background: #d9952b; }
.hit.off { background: #d8453d; }
.hit.sync { outline: 1px solid rgba(255, 255, 255, 0.7); }
.cue.hit { bottom: 0; width: 3px; margin-left: -1px; background: #5fb3ff; }
.cue.bed { top: 2px; bottom: 2px; background: rgba(200, 160, 255, 0.14); border-left: 1px solid #b48cff; }
.bedcurve { fill: none; stroke: #b48cff; stroke-width: 1.2; }
.section { top: 2px; bottom: 2px; background: #39414d; font-size: 10px; padding-left: 3px; overflow: hidden;
  white-space: nowrap; border-left: 1px solid #a9b1bb; }
.marker { top: 0; bottom: 0; width: 1px; background: #a9b1bb; }
.notes { fill: #c9a2ff; }
.wave { fill: #5fb3ff; }
.wave.music { fill: #c9a2ff; }
.wave.dialogue { fill: #4caf7d; }
.lufs { fill: none; stroke: #4caf7d; stroke-width: 1.4; }
.integrated { stroke: #e8e8e8; stroke-dasharray: 4 3; }
.target { stroke: var(--accent); stroke-dasharray: 2 3; }
.scale { left: 2px; font-size: 9px; color: var(--dim); }
.scale.top { top: 1px; }
.scale.bottom { bottom: 1px; }
.cutcards { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 8px;
  padding: 0 16px 16px; }
.cutcard { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 4px;
  padding: 6px; cursor: pointer; }
.cutcard:hover { border-color: var(--accent); }
.pair { display: flex; gap: 4px; }
.frame { flex: 1; aspect-ratio: var(--aspect); background-color: #000; background-size: contain;
  background-repeat: no-repeat; background-position: center; }
.cutcard figcaption { font-size: 11px; color: var(--dim); margin-top: 4px; }
.cutcard figcaption b { color: var(--text); font-family: ui-monospace, monospace; font-weight: 500; }
details summary { cursor: pointer; margin: 8px 16px; }
table.cuesheet { border-collapse: collapse; margin: 0 16px 16px; font-size: 12px; }
table.cuesheet td, table.cuesheet th { padding: 2px 8px; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; }
table.cuesheet tr[data-t] { cursor: pointer; }
table.cuesheet tr[data-t]:hover { background: var(--panel); }
td.tc { font-family: ui-monospace, monospace; white-space: nowrap; }
footer { color: var(--dim); padding: 16px; font-size: 11px; }
"""

JS = """
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("sonics-data").textContent);
  const duration = data.duration_s;
  const fps = data.fps[0] / data.fps[1];
  const nominal = data.nominal_fps;
  const times = data.frame_times_s;
  const scroller = document.querySelector(".scroller");
  const inner = document.querySelector(".inner");
  const playhead = document.querySelector(".playhead");
  const readout = document.getElementById("readout");
  const info = document.getElementById("info");
  const zoom = document.getElementById("zoom");
  const video = document.querySelector("video.picture");
  const stems = Array.from(document.querySelectorAll("audio.stem"));
  const media = (video ? [video] : []).concat(stems);
  const followers = new Set();
  let master = video || stems[0] || null;
  let now = 0;
  let frame = null;

  const pad = (n) => String(n).padStart(2, "0");
  function timecode(f) {
    if (data.drop_frame) {
      const dropped = Math.floor(2 * nominal / 30);
      const per10 = nominal * 600 - dropped * 9;
      const perMin = nominal * 60 - dropped;
      const rem = f % per10;
      f += dropped * 9 * Math.floor(f / per10);
      if (rem > dropped) f += dropped * Math.floor((rem - dropped) / perMin);
    }
    const s = Math.floor(f / nominal);
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60) +
      (data.drop_frame ? ";" : ":") + pad(f % nominal);
  }
  function frameAt(t) {
    if (times) {
      let lo = 0, hi = times.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (times[mid] <= t + 1e-6) lo = mid; else hi = mid - 1;
      }
      return lo;
    }
    return Math.max(0, Math.min(data.n_frames - 1, Math.floor(t * fps + 1e-6)));
  }
  const frameStart = (f) => (times ? times[f] : f / fps);

  function show(t) {
    now = Math.max(0, Math.min(duration, t));
    playhead.style.left = (100 * now / duration) + "%";
    const f = frameAt(now);
    readout.textContent = timecode(f) + "  frame " + f + "  " + now.toFixed(3) + " s";
  }
  function follow() {
    const x = inner.clientWidth * now / duration;
    const view = scroller.clientWidth;
    if (x < scroller.scrollLeft || x > scroller.scrollLeft + view - 24) {
      scroller.scrollLeft = Math.max(0, x - view * 0.1);
    }
  }
  function seek(t) {
    t = Math.max(0, Math.min(duration, t));
    for (const m of media) {
      try { m.currentTime = t; } catch (err) { /* not seekable yet: it starts from t */ }
    }
    show(t);
  }
  function playing() { return media.some((m) => !m.paused && !m.ended); }
  function tick() {
    frame = null;
    if (master) show(master.currentTime);
    follow();
    if (playing()) frame = requestAnimationFrame(tick);
  }
  function kick() { if (frame === null) frame = requestAnimationFrame(tick); }
  function note(text) {
    const box = document.getElementById("video-note");
    if (box) { box.textContent = text; box.hidden = false; }
  }
  function start(m) {
    const promise = m.play();
    if (promise) promise.catch((err) => note("Cannot play " + m.getAttribute("src") + ": " + err.message));
  }
  function toggle() {
    if (!master) return;
    if (master.paused) start(master); else master.pause();
  }

  for (const m of media) {
    m.addEventListener("play", () => {
      if (!followers.has(m)) master = m;
      if (m === video) for (const s of followers) { s.currentTime = video.currentTime; start(s); }
      kick();
    });
    m.addEventListener("pause", () => {
      if (m === video) for (const s of followers) s.pause();
      if (m === master) show(m.currentTime);
    });
    m.addEventListener("seeked", () => {
      if (m === video) for (const s of followers) {
        if (Math.abs(s.currentTime - video.currentTime) > 0.02) s.currentTime = video.currentTime;
      }
      if (m === master) show(m.currentTime);
    });
    m.addEventListener("timeupdate", () => {
      if (m === video) for (const s of followers) {
        const drift = Math.abs(s.currentTime - video.currentTime);
        if (!video.paused && drift > 0.08) s.currentTime = video.currentTime;
      }
      if (m === master && m.paused) show(m.currentTime);
    });
  }
  for (const box of document.querySelectorAll("input.follow")) {
    box.addEventListener("change", () => {
      const stem = stems[Number(box.dataset.stem)];
      if (!stem || !video) return;
      if (box.checked) {
        followers.add(stem);
        stem.currentTime = video.currentTime;
        if (!video.paused) start(stem);
      } else {
        followers.delete(stem);
        stem.pause();
      }
    });
  }
  if (video) {
    const reasons = {
      1: "the load was stopped",
      2: "a read error",
      3: "its picture could not be decoded",
      4: "the file is missing or this browser cannot decode its format",
    };
    const explain = () => note(
      "This browser cannot play " + video.getAttribute("src") + ": " +
      (reasons[video.error ? video.error.code : 4] || "unknown error") +
      ". The picture stream is copied from the cut as it is; open the file in a player such as " +
      "VLC or mpv. The lanes, the stems and click-to-seek still work."
    );
    video.addEventListener("error", explain);
    if (video.error) explain();
    else if (!video.canPlayType("video/mp4")) explain();
  }

  function drawRuler() {
    const ruler = document.querySelector(".track.ruler");
    if (!ruler) return;
    const perSecond = inner.clientWidth / duration;
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
    const step = steps.find((s) => s * perSecond >= 90) || 3600;
    const parts = [];
    for (let i = 0; i * step <= duration + 1e-9; i++) {
      const t = i * step;
      parts.push('<span style="left:' + (100 * t / duration) + '%">' + timecode(frameAt(t)) + "</span>");
    }
    ruler.innerHTML = parts.join("");
  }
  function barLabels() {
    const labels = document.querySelectorAll(".barno");
    if (!labels.length) return;
    let every = 1;
    while (every < labels.length && inner.clientWidth / labels.length * every < 28) every *= 2;
    for (const label of labels) label.classList.toggle("hide", (Number(label.dataset.bar) - 1) % every !== 0);
  }
  function setZoom(value) {
    const factor = Math.pow(data.max_zoom, value / 1000);
    const anchor = now / duration;
    const offset = inner.clientWidth * anchor - scroller.scrollLeft;
    inner.style.width = (100 * factor) + "%";
    scroller.scrollLeft = inner.clientWidth * anchor - offset;
    drawRuler();
    barLabels();
  }
  zoom.addEventListener("input", () => setZoom(Number(zoom.value)));
  window.addEventListener("resize", () => { drawRuler(); barLabels(); });

  inner.addEventListener("click", (event) => {
    const snap = event.target.closest(".snap");
    if (snap && inner.contains(snap)) {
      seek(Number(snap.dataset.t) + 1e-4);
      return;
    }
    const box = inner.getBoundingClientRect();
    seek((event.clientX - box.left) / box.width * duration);
  });
  inner.addEventListener("mousemove", (event) => {
    const box = inner.getBoundingClientRect();
    const t = Math.max(0, Math.min(duration, (event.clientX - box.left) / box.width * duration));
    const item = event.target.closest("[title]");
    info.textContent = "at " + timecode(frameAt(t)) + (item ? "\\n" + item.getAttribute("title") : "");
  });
  for (const item of document.querySelectorAll(".cutcard[data-t], tr[data-t]")) {
    item.addEventListener("click", () => {
      seek(Number(item.dataset.t) + 1e-4);
      follow();
    });
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, button, video, audio, summary")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.code === "Space") {
      event.preventDefault();
      toggle();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      const sign = event.key === "ArrowLeft" ? -1 : 1;
      if (event.shiftKey) seek(now + sign);
      else {
        const f = Math.max(0, Math.min(data.n_frames - 1, frameAt(now) + sign));
        seek(frameStart(f) + 1e-4);
      }
      follow();
    } else if (event.key === "+" || event.key === "=" || event.key === "-") {
      zoom.value = String(Number(zoom.value) + (event.key === "-" ? -100 : 100));
      setZoom(Number(zoom.value));
    }
  });
  show(0);
  drawRuler();
  barLabels();
})();
"""
