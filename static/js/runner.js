// The live runner: keeps the page in step with the meeting and runs the countdown.
// Progressive enhancement: without this file the page shows the state as of its loading and
// every control still works as a plain form.
//
// About once a second it asks the server for the state fragment, sending the version it
// shows; the server answers 204 (and its clock) when nothing changed, else the fresh
// fragment. The countdown runs here from the segment's start instant and allowed length, on
// the server's clock (estimated from each answer), so devices with wrong clocks agree.
(() => {
  "use strict";

  const POLL_MS = 1000;
  const TICK_MS = 250;
  const OFFLINE_AFTER = 2; // failed polls in a row before the page says so
  const TIMEOUT_MS = 4000; // a poll unanswered this long is abandoned and tried again
  const SAMPLES = 10;

  const regionOf = () => document.getElementById("runner-live");
  if (!regionOf()) return;

  const url = regionOf().dataset.stateUrl;
  const offline = document.querySelector("[data-runner-offline]");
  // Server clock minus this device's clock, in ms; the sample with the shortest round trip of
  // the last few wins (its midpoint is the closest to when the server read its clock).
  let skew = Number(regionOf().dataset.now) - Date.now();
  const samples = [];
  let pending = null;
  let inflight = false;
  let failures = 0;

  function learnClock(serverNow, sent, received) {
    if (!serverNow) return;
    samples.push({ rtt: received - sent, skew: serverNow - (sent + received) / 2 });
    if (samples.length > SAMPLES) samples.shift();
    skew = samples.reduce((best, s) => (s.rtt < best.rtt ? s : best)).skew;
  }

  function setOffline(isOffline) {
    if (offline) offline.hidden = !isOffline;
  }

  // A person typing or choosing in the region keeps what they have until they leave it.
  function busy(region) {
    const active = document.activeElement;
    return Boolean(
      active && region.contains(active) && active.matches("input, textarea, select")
    );
  }

  // Screen readers hear the new state line, from a live region that stays on the page (the
  // swapped fragment cannot announce itself).
  const announcer = document.querySelector("[data-runner-announce]");
  let announced = "";

  function afterChange(region) {
    const heading = region.querySelector("#runner-heading");
    const line = heading ? heading.textContent.trim() : "";
    if (announcer && line && line !== announced) {
      announced = line;
      announcer.textContent = line;
    }
    if (region.dataset.started === "1") {
      // The running order can no longer be adjusted once the meeting runs.
      document.querySelectorAll("[data-runner-editor]").forEach((el) => el.remove());
    }
    tick();
  }

  function swap(html) {
    const region = regionOf();
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.firstElementChild;
    if (!region || !fresh || fresh.id !== "runner-live") return;
    region.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    afterChange(fresh);
  }

  async function poll() {
    const region = regionOf();
    if (!region || inflight) return;
    if (pending && !busy(region)) {
      swap(pending);
      pending = null;
    }
    if (navigator.onLine === false) {
      // No network at all: say so, and catch up as soon as it is back ("online" below).
      failures = Math.max(failures, OFFLINE_AFTER);
      setOffline(true);
      return;
    }
    inflight = true;
    const sent = Date.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      const target = new URL(url, window.location.href);
      target.searchParams.set("v", regionOf().dataset.version);
      const response = await fetch(
        target,
        {
          cache: "no-store",
          credentials: "same-origin",
          headers: { "HX-Request": "true" },
          signal: abort.signal,
        }
      );
      learnClock(Number(response.headers.get("X-Runner-Now")), sent, Date.now());
      const away = response.headers.get("HX-Redirect");
      if (away) {
        window.location.assign(away);
        return;
      }
      if (response.status === 204) {
        failures = 0;
        setOffline(false);
      } else if (response.ok) {
        const html = await response.text();
        failures = 0;
        setOffline(false);
        if (busy(regionOf())) pending = html;
        else swap(html);
      } else {
        throw new Error(`status ${response.status}`);
      }
    } catch {
      failures += 1;
      if (failures >= OFFLINE_AFTER) setOffline(true);
    } finally {
      clearTimeout(timer);
      inflight = false;
    }
  }

  function clock(ms) {
    const total = Math.floor(ms / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function tick() {
    const region = regionOf();
    if (!region) return;
    const start = Number(region.dataset.segmentStart);
    const countdown = region.querySelector("[data-countdown]");
    if (!start || !countdown) return;
    const now = Date.now() + skew;
    const left = start + Number(region.dataset.segmentSeconds) * 1000 - now;
    countdown.textContent = left >= 0 ? clock(left) : `−${clock(-left)}`;
    region.classList.toggle("is-overrun", left < 0);
    region.classList.toggle("is-ending", left >= 0 && left < 60000);
    const overrun = region.querySelector("[data-overrun]");
    if (overrun) overrun.hidden = left >= 0;
    const late = region.querySelector("[data-meeting-late]");
    if (late) {
      const projected = now + Math.max(left, 0) + Number(region.dataset.restSeconds) * 1000;
      const minutes = Math.round((projected - Number(region.dataset.meetingEnd)) / 60000);
      late.hidden = minutes < 1;
      late.textContent =
        minutes >= 1
          ? `At this pace the meeting ends ${minutes} minute${minutes === 1 ? "" : "s"} late.`
          : "";
    }
  }

  // htmx swapped the fragment after a control: the new state applies at once.
  document.body.addEventListener("htmx:afterSwap", () => {
    const region = regionOf();
    if (region) afterChange(region);
  });
  window.addEventListener("online", poll);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });

  setInterval(poll, POLL_MS);
  setInterval(tick, TICK_MS);
  const first = regionOf().querySelector("#runner-heading");
  announced = first ? first.textContent.trim() : "";
  tick();
})();
