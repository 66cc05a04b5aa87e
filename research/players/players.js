// SPDX-License-Identifier: MIT
// Strand players page: HTTP-FLV through mpegts.js, HLS through hls.js (or the browser's
// own HLS where there is no MSE, e.g. iOS), WebRTC through WHEP (whip.js, when the server
// has rtc on), the live streams from the HTTP API, the URLs to publish to, and a WHIP
// publisher (camera or test pattern). Query: ?url=PLAY_URL (plays at once) &api=API_PORT. The ports come
// from the server that served the page (server.json next to it); opened from a file,
// SRS's defaults are assumed.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var video = $('video');
  var params = new URLSearchParams(location.search);
  // Served by Strand itself the page's host and port are the HTTP server's; opened from
  // a file, assume the defaults on this machine.
  var host = location.hostname || '127.0.0.1';
  var origin = location.protocol === 'file:' ? 'http://' + host + ':8080' : location.origin;
  // Filled from server.json: {rtmp, http, api, srt, rtc, https, api_https: {enabled, port}, flv, hls}.
  var server = { rtmp: { enabled: true, port: 1935 }, api: { enabled: true, port: 1985 },
                 srt: { enabled: false, port: 0 }, rtc: { enabled: false, port: 0 } };
  var apiBase = '';
  // A page served over HTTPS calls the API over HTTPS: browsers block mixed content.
  function setApiBase() {
    var tls = location.protocol === 'https:';
    var port = params.get('api') || (tls && server.api_https && server.api_https.enabled ? server.api_https.port
                                                                                         : server.api.port);
    apiBase = (tls ? 'https://' : 'http://') + host + ':' + port;
  }
  setApiBase();

  var player = null;   // the mpegts.js or hls.js instance or WHEP session, null for native HLS
  var kind = '';       // 'flv' | 'hls' | 'rtc' | ''
  var state = 'idle';  // idle | loading | playing | error
  var message = '';

  function setState(s, msg) {
    state = s;
    message = msg || '';
    showStatus();
  }

  // One line a person or a test can read: state, position and decoded frames.
  function showStatus() {
    var q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    var line = state + (kind ? ' ' + kind : '');
    if (message) line += ': ' + message;
    if (state !== 'idle') {
      line += ' | t=' + video.currentTime.toFixed(1) + 's';
      if (q) line += ' | frames ' + q.totalVideoFrames + ' (dropped ' + q.droppedVideoFrames + ')';
    }
    var el = $('status');
    el.textContent = line;
    el.className = state;
    el.dataset.state = state;
  }

  // The FLV and HLS URLs of one stream differ only in the extension.
  function withKind(url, which) {
    return url.replace(/\.(flv|m3u8)(?=$|\?)/, which === 'hls' ? '.m3u8' : '.flv');
  }

  // app and stream of a play URL (http://HOST/APP/STREAM.flv).
  function appStream(url) {
    var r = { app: 'live', stream: 'livestream', host: host };
    try {
      var u = new URL(url);
      var parts = u.pathname.replace(/\.(flv|m3u8)$/, '').split('/').filter(Boolean);
      if (parts.length >= 2) {
        r.stream = parts.pop();
        r.app = parts.join('/');
      }
      r.host = u.hostname || host;
    } catch (e) { /* not a URL yet: keep the defaults */ }
    return r;
  }

  // SRS's WHIP/WHEP endpoints on the HTTP API's port.
  function rtcUrl(which, url) {
    var s = appStream(url);
    return apiBase + '/rtc/v1/' + which + '/?app=' + encodeURIComponent(s.app) +
      '&stream=' + encodeURIComponent(s.stream);
  }

  function stop() {
    if (player) {
      if (player.destroy) player.destroy(); else player.close();
      player = null;
    }
    video.srcObject = null;
    video.removeAttribute('src');
    video.load();
    kind = '';
    setState('idle');
  }

  var generation = 0;  // a start() that a newer one replaced reports nothing

  function start(which) {
    var mine = ++generation;
    var url = withKind($('url').value.trim(), which);
    $('url').value = url;
    stop();
    kind = which;
    setState('loading');
    showPublishUrls();
    if (which === 'rtc') {
      if (!window.RTCPeerConnection || !window.StrandRtc) return setState('error', 'no WebRTC in this browser');
      StrandRtc.play(rtcUrl('whep', url), video, function (st) {
        if (mine !== generation) return;
        if (st === 'failed' || st === 'disconnected') setState('error', 'WebRTC ' + st);
      }).then(function (session) {
        if (mine !== generation) return session.close();
        player = session;
      }).catch(function (e) {
        if (mine === generation) setState('error', 'WHEP: ' + e.message);
      });
    } else if (which === 'flv') {
      if (!window.mpegts || !mpegts.isSupported()) {
        return setState('error', 'mpegts.js unavailable or no MSE in this browser');
      }
      player = mpegts.createPlayer({ type: 'flv', isLive: true, url: url },
                                   { liveBufferLatencyChasing: true });
      player.on(mpegts.Events.ERROR, function (type, detail, info) {
        setState('error', type + ' ' + detail + (info && info.msg ? ' ' + info.msg : ''));
      });
      player.attachMediaElement(video);
      player.load();
    } else if (window.Hls && Hls.isSupported()) {
      // lowLatencyMode is on by default (LL-HLS where served); after a stall, play up to
      // 1.5x fast until back at the target distance from live instead of staying behind
      player = new Hls({ liveDurationInfinity: true, maxLiveSyncPlaybackRate: 1.5 });
      window.StrandHls = player;  // for whoever wants its playingDate or latency (tests, a console)
      player.on(Hls.Events.ERROR, function (ev, data) {
        if (data.fatal) {
          setState('error', data.type + ' ' + data.details +
                   (data.response && data.response.code ? ' HTTP ' + data.response.code : ''));
        }
      });
      player.loadSource(url);
      player.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;  // native HLS (Safari, iOS)
    } else {
      return setState('error', 'no HLS support in this browser');
    }
    var p = video.play();
    if (p && p.catch) {
      p.catch(function (e) {
        if (state !== 'error' && mine === generation) setState('error', 'play() refused: ' + e.message);
      });
    }
  }

  // a fatal error stays on the status line: a later 'playing' (buffered frames) does not hide it
  video.addEventListener('playing', function () { if (kind && state !== 'error') setState('playing'); });
  video.addEventListener('error', function () {
    if (kind) setState('error', 'media error ' + (video.error ? video.error.code : ''));
  });

  // Publish URLs for the app/stream of the URL in the form (rtmp://HOST/APP/STREAM).
  function showPublishUrls() {
    var s = appStream($('url').value), app = s.app, stream = s.stream, h = s.host;
    var rtmpPort = server.rtmp.port === 1935 ? '' : ':' + server.rtmp.port;
    $('rtmp-url').textContent = 'rtmp://' + h + rtmpPort + '/' + app + '/' + stream;
    $('srt-url').textContent =
      'srt://' + h + ':' + server.srt.port + '?streamid=#!::r=' + app + '/' + stream + ',m=publish';
    $('srt-dt').hidden = $('srt-dd').hidden = !server.srt.enabled;
    $('whip-url').textContent = rtcUrl('whip', $('url').value);
    $('whip-dt').hidden = $('whip-dd').hidden = $('publish-rtc').hidden = !server.rtc.enabled;
    $('play-rtc').hidden = !server.rtc.enabled;
  }

  // The WHIP publisher: one at a time, its state on its own status line.
  var publisher = null;
  function setPublishState(st, msg) {
    var el = $('publish-status');
    el.textContent = st + (msg ? ': ' + msg : '');
    el.dataset.state = st;
  }
  function publishStop() {
    if (publisher) publisher.close();
    publisher = null;
    setPublishState('idle');
  }
  function publishStart(source) {
    publishStop();
    setPublishState('connecting', rtcUrl('whip', $('url').value));
    StrandRtc.publish(rtcUrl('whip', $('url').value), source, function (st) {
      setPublishState(st === 'connected' ? 'publishing' : st);
    }).then(function (session) { publisher = session; }).catch(function (e) {
      setPublishState('error', e.message);
    });
  }

  function link(text, onclick) {
    var a = document.createElement('a');
    a.href = '#';
    a.textContent = text;
    a.addEventListener('click', function (ev) { ev.preventDefault(); onclick(); });
    return a;
  }

  // The live streams from GET /api/v1/streams; text only (never innerHTML from the API).
  function refreshStreams() {
    fetch(apiBase + '/api/v1/streams?count=100').then(function (r) {
      return r.json();
    }).then(function (js) {
      var body = $('streams').querySelector('tbody');
      body.textContent = '';
      var live = (js.streams || []).filter(function (s) { return !s.publish || s.publish.active; });
      $('streams-note').textContent = live.length ? '' : 'no live streams (from ' + apiBase + ')';
      live.forEach(function (s) {
        var base = origin + '/' + s.app + '/' + s.name;
        var tr = document.createElement('tr');
        tr.dataset.stream = s.app + '/' + s.name;
        var v = s.video ? s.video.codec + ' ' + s.video.width + 'x' + s.video.height : '-';
        var a = s.audio ? s.audio.codec + ' ' + s.audio.sample_rate + ' Hz' : '-';
        [s.app + '/' + s.name, v, a, String(s.clients)].forEach(function (t) {
          var td = document.createElement('td');
          td.textContent = t;
          tr.appendChild(td);
        });
        var td = document.createElement('td');
        (server.rtc.enabled ? ['flv', 'hls', 'rtc'] : ['flv', 'hls']).forEach(function (which) {
          td.appendChild(link(which === 'rtc' ? 'WebRTC' : which.toUpperCase(), function () {
            $('url').value = base + (which === 'hls' ? '.m3u8' : '.flv');
            start(which);
          }));
          td.appendChild(document.createTextNode(' '));
        });
        tr.appendChild(td);
        body.appendChild(tr);
      });
    }).catch(function (e) {
      $('streams-note').textContent = 'HTTP API ' + apiBase + ' unreachable: ' + e.message +
        ' (set its port with ?api=PORT)';
    });
  }

  $('url').value = params.get('url') || origin + '/live/livestream.flv';
  $('url').addEventListener('change', showPublishUrls);
  $('play-flv').addEventListener('click', function () { start('flv'); });
  $('play-hls').addEventListener('click', function () { start('hls'); });
  $('play-rtc').addEventListener('click', function () { start('rtc'); });
  $('publish-camera').addEventListener('click', function () { publishStart('camera'); });
  $('publish-pattern').addEventListener('click', function () { publishStart('pattern'); });
  $('publish-stop').addEventListener('click', publishStop);
  $('stop').addEventListener('click', stop);
  $('form').addEventListener('submit', function (ev) { ev.preventDefault(); start('flv'); });

  // Learn the ports, then fill the page; a ?url= plays at once, by its extension.
  var info = location.protocol === 'file:' ? Promise.reject(new Error('opened from a file'))
                                           : fetch('server.json').then(function (r) { return r.json(); });
  info.then(function (js) {
    ['rtmp', 'api', 'srt', 'rtc', 'api_https'].forEach(function (k) { if (js[k]) server[k] = js[k]; });
    setApiBase();
  }).catch(function () { /* keep SRS's defaults */ }).then(function () {
    showPublishUrls();
    refreshStreams();
    setInterval(refreshStreams, 5000);
    // ?url= plays at once, by its extension; &rtc=1 plays it over WebRTC (WHEP)
    if (params.get('url')) {
      start(params.get('rtc') ? 'rtc' : /\.m3u8(\?|$)/.test(params.get('url')) ? 'hls' : 'flv');
    }
    if (params.get('publish')) publishStart(params.get('publish'));  // ?publish=pattern|camera
  });
  showPublishUrls();
  setInterval(showStatus, 500);
})();
