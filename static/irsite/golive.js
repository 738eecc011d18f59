// The publish page's live read-back: the company's clock, and when the chosen go-live time is
// from now ("goes live in 2 minutes, at 16:05:00 EST"), computed in the company's zone whatever
// the browser's own zone is. The server decides; this only reads back what will be sent.
(function () {
  "use strict";
  const clock = document.getElementById("irsite-clock");
  const readback = document.getElementById("irsite-readback");
  if (!clock || !readback) return;
  const zone = clock.dataset.zone;
  // The server's clock, not the browser's: a laptop a minute off must not mislead an approver.
  const skew = Number(clock.dataset.now) * 1000 - Date.now();
  const now = () => Date.now() + skew;
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
  function parts(ms) {
    const out = {};
    for (const p of fmt.formatToParts(new Date(ms))) out[p.type] = p.value;
    return out;
  }
  function wall(ms) {
    const p = parts(ms);
    return [+p.year, +p.month, +p.day, +p.hour % 24, +p.minute, +p.second];
  }
  function label(ms) {
    const p = parts(ms);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
  }
  function same(a, b) { return a.every((v, i) => v === b[i]); }
  // The instants whose wall-clock time in the zone is the one typed: none in a skipped hour,
  // two in a repeated one (earliest first), else one.
  function instants(w) {
    const guess = Date.UTC(w[0], w[1] - 1, w[2], w[3], w[4], w[5]);
    const found = [];
    for (const probe of [guess - 43200000, guess + 43200000]) {
      const p = wall(probe);
      const offset = Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4], p[5]) - probe;
      const candidate = guess - offset;
      if (same(wall(candidate), w) && !found.includes(candidate)) found.push(candidate);
    }
    return found.sort((a, b) => a - b);
  }
  function parseTime(text) {
    const m = /^\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?\s*$/i.exec(text);
    if (!m) return null;
    let h = +m[1];
    const minute = +(m[2] || 0), second = +(m[3] || 0);
    if (m[4]) {
      if (h < 1 || h > 12) return null;
      h = (h % 12) + (m[4].toLowerCase() === "p" ? 12 : 0);
    }
    if (h > 23 || minute > 59 || second > 59) return null;
    return [h, minute, second];
  }
  function inWords(ms) {
    const s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
    const m = Math.round(s / 60);
    if (m < 120) return `${m} minute${m === 1 ? "" : "s"}`;
    const h = Math.round(m / 60);
    if (h < 48) return `${h} hours`;
    return `${Math.round(h / 24)} days`;
  }
  const date = document.getElementById("id_go_live_0");
  const time = document.getElementById("id_go_live_1");
  const fold = document.getElementById("id_go_live_2");
  function update() {
    clock.querySelector("strong").textContent = label(now());
    if (!date.value.trim() && !time.value.trim() && clock.dataset.approved) {
      // Nothing typed: the approved publication time is the go-live.
      const approved = Number(clock.dataset.approved) * 1000;
      const left = approved - now();
      readback.textContent = left < -999
        ? `The approved time passed ${inWords(left)} ago (${label(approved)}): type a later time, or Publish now.`
        : `Goes live in ${inWords(left)} (at ${label(approved)}, the approved time).`;
      return;
    }
    const d = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.value.trim());
    const t = parseTime(time.value);
    if (!d || !t) {
      readback.textContent = "Type a date (YYYY-MM-DD) and a time, e.g. 16:05 or 4:05 PM.";
      return;
    }
    const found = instants([+d[1], +d[2], +d[3], ...t]);
    if (found.length === 0) {
      readback.textContent = "That time does not exist that day (the clocks go forward).";
      return;
    }
    let at = found[0];
    if (found.length === 2) {
      if (fold.value === "") {
        readback.textContent = `That time happens twice that day: choose ${label(found[0])} or ${label(found[1])} below the time.`;
        return;
      }
      at = found[Number(fold.value)];
    }
    const delta = at - now();
    readback.textContent = delta < -999
      ? `That time passed ${inWords(delta)} ago (${label(at)}): choose a later time, or Publish now.`
      : `Goes live in ${inWords(delta)} (at ${label(at)}).`;
  }
  for (const el of [date, time, fold]) if (el) el.addEventListener("input", update);
  for (const el of [date, time, fold]) if (el) el.addEventListener("change", update);
  // The admin's calendar and clock shortcuts set values without an input event.
  document.addEventListener("click", () => setTimeout(update, 0));
  update();
  setInterval(update, 1000);
})();
