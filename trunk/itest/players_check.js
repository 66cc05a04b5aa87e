// SPDX-License-Identifier: MIT
// Drives Debian's headless Chromium with playwright-core for test_players.py: opens the
// players page once per case, checks that the stream list (from the HTTP API) shows the
// stream, clicks the FLV or HLS button and measures how far video.currentTime advances
// and how many frames are decoded. It only measures; the Python test judges.
//
//   node players_check.js CONFIG_JSON
//   CONFIG: {playwright, chromium, pidFile, tmpDir, shotDir, stream, startTimeout,
//            playSeconds, deadline, cases: [{kind: "flv"|"hls"|"rtc"|"whip", page: URL, noClick?}],
//            extraArgs?: more Chromium flags (e.g. a certificate to trust),
//            startedFile?: written once the (first) case plays}
// A "whip" case opens a page that publishes (?publish=pattern), waits until its publish
// status says publishing, keeps publishing for playSeconds, and reports the status.
// Prints one JSON object on stdout: {cases: [{kind, listed, rowText, started, t0, t1,
// advanced, frames, dropped, status, rtmpUrl, srtShown, behind (hls.js: seconds behind
// the wall clock, sampled twice a second), errors}], error?}. Exit 0 unless
// the browser failed.
'use strict';

const fs = require('fs');
const path = require('path');

const cfg = JSON.parse(process.argv[2]);
// Playwright makes the fresh profile dir under os.tmpdir(): keep it in the test's own dir
if (cfg.tmpDir) process.env.TMPDIR = cfg.tmpDir;
const { chromium } = require(path.join(cfg.playwright, 'node_modules', 'playwright-core'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Flags known to work on this machine: the background-networking ones stop Chromium
// calling out to a closed network; autoplay lets play() start without a click on the video.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  // a WHIP case publishes Chromium's fake camera and microphone, with no permission prompt
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

const videoState = () => {
  const v = document.getElementById('video');
  const q = v.getVideoPlaybackQuality();
  // hls.js: how far behind the wall clock the shown frame's EXT-X-PROGRAM-DATE-TIME is
  const h = window.StrandHls;
  const behind = h && h.playingDate ? (Date.now() - h.playingDate.getTime()) / 1000 : null;
  return { t: v.currentTime, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames,
    status: document.getElementById('status').textContent, behind: behind };
};

// The WHEP session's inbound video from getStats(): freezes, decoded and dropped frames.
const rtcVideoStats = async () => {
  const s = window.StrandRtc && window.StrandRtc.last;
  if (!s) return null;
  let r = null;
  (await s.pc.getStats()).forEach((x) => {
    if (x.type === 'inbound-rtp' && x.kind === 'video') {
      r = { freezeCount: x.freezeCount, totalFreezesDuration: x.totalFreezesDuration,
        framesDecoded: x.framesDecoded, framesDropped: x.framesDropped, nackCount: x.nackCount,
        pliCount: x.pliCount, packetsLost: x.packetsLost,
        jitterBufferMs: x.jitterBufferEmittedCount ? 1000 * x.jitterBufferDelay / x.jitterBufferEmittedCount : null };
    }
  });
  return r;
};

async function runWhip(page, c, out) {
  await page.goto(c.page, { timeout: 10000 });
  const state = () => page.locator('#publish-status').getAttribute('data-state');
  const until = Date.now() + cfg.startTimeout * 1000;
  let st = await state();
  while (Date.now() < until && st !== 'publishing' && st !== 'error' && st !== 'failed') {
    await sleep(200);
    st = await state();
  }
  out.started = st === 'publishing';
  if (out.started) await sleep(cfg.playSeconds * 1000);
  out.status = await page.locator('#publish-status').innerText();
}

async function runCase(browser, c) {
  const out = { kind: c.kind, listed: false, started: false, errors: [] };
  // a fresh context per case: no cache or media state carried from the other case
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') out.errors.push('console: ' + m.text());
    });
    page.on('pageerror', (e) => out.errors.push('pageerror: ' + e.message));
    if (c.kind === 'whip') {
      await runWhip(page, c, out);
      return out;
    }
    await page.goto(c.page, { timeout: 10000 });
    const row = page.locator('tr[data-stream="' + cfg.stream + '"]');
    try {
      await row.waitFor({ timeout: 7000 });
      out.listed = true;
      out.rowText = (await row.innerText()).replace(/\s+/g, ' ').trim();
    } catch (e) {
      out.rowText = await page.locator('#streams-note').innerText();
    }
    // noClick: the page must start on its own (?url=)
    if (!c.noClick) await page.click('#play-' + c.kind);
    // started: the clock moved and a frame was decoded (a first frame alone is not playback)
    const until = Date.now() + cfg.startTimeout * 1000;
    let s = await page.evaluate(videoState);
    while (Date.now() < until && !(s.t > 0 && s.frames > 0) && !s.status.startsWith('error')) {
      await sleep(200);
      s = await page.evaluate(videoState);
    }
    out.started = s.t > 0 && s.frames > 0;
    out.t0 = s.t;
    // for a test that acts while the player plays (a republish): the playback has begun
    if (out.started && cfg.startedFile) fs.writeFileSync(cfg.startedFile, String(s.t));
    // getStats at the start too, so a test can judge the frames decoded while it played
    if (c.kind === 'rtc') out.rtcStats0 = await page.evaluate(rtcVideoStats);
    // while it plays, how far behind live an HLS player is, twice a second
    out.behind = [];
    const playUntil = Date.now() + (out.started ? cfg.playSeconds * 1000 : 0);
    while (Date.now() < playUntil) {
      await sleep(500);
      const b = (await page.evaluate(videoState)).behind;
      if (b !== null) out.behind.push(Math.round(b * 1000) / 1000);
    }
    s = await page.evaluate(videoState);
    if (c.kind === 'rtc') out.rtcStats = await page.evaluate(rtcVideoStats);
    Object.assign(out, { t1: s.t, advanced: s.t - out.t0, frames: s.frames,
      dropped: s.dropped, status: s.status,
      rtmpUrl: await page.locator('#rtmp-url').innerText(),
      srtShown: await page.locator('#srt-dd').isVisible() });
    // what the page looked like, for whoever reads a failure (kept with --keep)
    if (cfg.shotDir) await page.screenshot({ path: path.join(cfg.shotDir, c.kind + '.png') });
  } finally {
    await context.close().catch(() => {});
  }
  return out;
}

async function main() {
  const result = { cases: [] };
  // launchServer rather than launch: it tells us Chromium's pid, which the test kills
  // itself if this script dies or times out before closing the browser.
  const server = await chromium.launchServer({ executablePath: cfg.chromium, args: ARGS.concat(cfg.extraArgs || []),
    headless: true, handleSIGINT: false });
  fs.writeFileSync(cfg.pidFile, String(server.process().pid));
  const watchdog = setTimeout(() => {
    result.error = 'players_check.js: overall deadline of ' + cfg.deadline + ' s passed';
    console.log(JSON.stringify(result));
    server.kill().finally(() => process.exit(3));
  }, cfg.deadline * 1000);
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    for (const c of cfg.cases) result.cases.push(await runCase(browser, c));
    await browser.close();
  } catch (e) {
    result.error = String(e && e.stack || e);
  } finally {
    clearTimeout(watchdog);
    await server.close().catch(() => {});
  }
  console.log(JSON.stringify(result));
  process.exit(result.error ? 2 : 0);
}

main().catch((e) => {
  console.log(JSON.stringify({ cases: [], error: String(e && e.stack || e) }));
  process.exit(2);
});
