// SPDX-License-Identifier: MIT
// WHEP play and WHIP publish with the browser's own WebRTC: one offer POSTed as
// application/sdp, the answer back, DELETE of the Location to end. The server is
// ICE-lite: it answers the browser's connectivity checks, so the offer needs none of
// the browser's candidates and is sent at once.
(function () {
  'use strict';

  function post(url, sdp) {
    return fetch(url, { method: 'POST', body: sdp, headers: { 'Content-Type': 'application/sdp' } })
      .then(function (r) {
        return r.text().then(function (text) {
          if (r.status !== 201) throw new Error('HTTP ' + r.status + ': ' + text.trim());
          return { sdp: text, location: r.headers.get('Location') };
        });
      });
  }

  // A session: the peer connection and the URL that ends it.
  function Session(pc, url) {
    this.pc = pc;
    this.url = url;
    this.location = null;
  }
  Session.prototype.close = function () {
    if (this.location) {
      var u = new URL(this.location, this.url);
      fetch(u.href, { method: 'DELETE' }).catch(function () { /* the server ends it on its own */ });
      this.location = null;
    }
    this.pc.close();
  };

  function negotiate(session) {
    var pc = session.pc;
    return pc.createOffer().then(function (offer) {
      return pc.setLocalDescription(offer).then(function () { return post(session.url, offer.sdp); });
    }).then(function (answer) {
      session.location = answer.location;
      return pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    }).then(function () {
      window.StrandRtc.last = session;  // for whoever wants its getStats() (tests, a console)
      return session;
    });
  }

  // WHEP: play url into the video element; onState(state, detail) follows the connection.
  function play(url, video, onState) {
    var pc = new RTCPeerConnection();
    var session = new Session(pc, url);
    var stream = new MediaStream();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.ontrack = function (ev) {
      stream.addTrack(ev.track);
      if (video.srcObject !== stream) {
        video.srcObject = stream;
        var p = video.play();
        if (p && p.catch) p.catch(function () { /* the page's own play() reports it */ });
      }
    };
    pc.onconnectionstatechange = function () { onState(pc.connectionState); };
    return negotiate(session);
  }

  // A moving test pattern and a tone, for machines without a camera.
  function testPattern() {
    var canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    var g = canvas.getContext('2d');
    var n = 0;
    var timer = setInterval(function () {
      g.fillStyle = '#123';
      g.fillRect(0, 0, 640, 360);
      g.fillStyle = '#fc0';
      g.fillRect((n * 6) % 640, 140, 80, 80);
      g.fillStyle = '#fff';
      g.font = '28px sans-serif';
      g.fillText('Strand WHIP ' + new Date().toISOString().substr(11, 12), 20, 50);
      n++;
    }, 33);
    var stream = canvas.captureStream(30);
    try {
      var ac = new AudioContext();
      var osc = ac.createOscillator();
      var dest = ac.createMediaStreamDestination();
      osc.frequency.value = 440;
      osc.connect(dest);
      osc.start();
      dest.stream.getAudioTracks().forEach(function (t) { stream.addTrack(t); });
    } catch (e) { /* video only */ }
    stream.stop = function () { clearInterval(timer); };
    return Promise.resolve(stream);
  }

  // WHIP: publish the camera (or the test pattern) to url.
  function publish(url, source, onState) {
    var media = source === 'camera'
      ? navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true })
      : testPattern();
    return media.then(function (stream) {
      var pc = new RTCPeerConnection();
      var session = new Session(pc, url);
      session.media = stream;
      stream.getTracks().forEach(function (t) {
        var tr = pc.addTransceiver(t, { direction: 'sendonly', streams: [stream] });
        if (t.kind === 'video' && tr.setCodecPreferences && window.RTCRtpSender.getCapabilities) {
          var codecs = RTCRtpSender.getCapabilities('video').codecs;
          var h264 = codecs.filter(function (c) { return c.mimeType === 'video/H264'; });
          if (h264.length) tr.setCodecPreferences(h264);  // the server takes H.264 only
        }
      });
      pc.onconnectionstatechange = function () { onState(pc.connectionState); };
      var close = session.close;
      session.close = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        if (stream.stop) stream.stop();
        close.call(session);
      };
      return negotiate(session);
    });
  }

  window.StrandRtc = { play: play, publish: publish };
})();
