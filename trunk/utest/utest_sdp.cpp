// SPDX-License-Identifier: MIT
// utest_sdp.cpp: the WebRTC SDP parser and writer (protocol/sr_sdp): offers shaped
// like what Chrome 120+ sends to WHIP (sendonly, five video codecs with rtx, BUNDLE,
// extmap, ssrc-group FID) and to WHEP (recvonly), what Firefox sends (session-level
// fingerprint, fmtp before rtpmap), and what OBS (libdatachannel) sends (candidates in
// the offer); parse -> fields, parse -> write -> parse equality, an answer written
// from a filled struct against its exact text, and malformed, truncated and hostile
// input.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#include "sr_error.h"
#include "sr_sdp.h"
#include "sr_utest.h"

namespace
{

// Chrome 120 WHIP publisher: addTransceiver(track, {direction: 'sendonly'}) for a
// microphone and a camera, createOffer(), gathering not waited for.
const char *chrome_whip_offer = R"(v=0
o=- 4215775240449105457 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS 0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:EsAw
a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
a=ice-options:trickle
a=fingerprint:sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:88:20:BD:1C:E1:3B:46
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendonly
a=msid:0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10 5b1e3c7d-2a9f-4e61-8d0c-7f4b2a9e1c35
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1843314734 cname:JuIvX8S3ZjVnjVqp
a=ssrc:1843314734 msid:0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10 5b1e3c7d-2a9f-4e61-8d0c-7f4b2a9e1c35
m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:EsAw
a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
a=ice-options:trickle
a=fingerprint:sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:88:20:BD:1C:E1:3B:46
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:13 urn:3gpp:video-orientation
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=sendonly
a=msid:0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10 9c6f1e2d-3b4a-4f5e-8a7b-6c5d4e3f2a1b
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:102 H264/90000
a=rtcp-fb:102 goog-remb
a=rtcp-fb:102 transport-cc
a=rtcp-fb:102 ccm fir
a=rtcp-fb:102 nack
a=rtcp-fb:102 nack pli
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=rtpmap:104 H264/90000
a=rtcp-fb:104 goog-remb
a=rtcp-fb:104 transport-cc
a=rtcp-fb:104 ccm fir
a=rtcp-fb:104 nack
a=rtcp-fb:104 nack pli
a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
a=rtpmap:105 rtx/90000
a=fmtp:105 apt=104
a=rtpmap:106 H264/90000
a=rtcp-fb:106 goog-remb
a=rtcp-fb:106 transport-cc
a=rtcp-fb:106 ccm fir
a=rtcp-fb:106 nack
a=rtcp-fb:106 nack pli
a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:107 rtx/90000
a=fmtp:107 apt=106
a=rtpmap:108 H264/90000
a=rtcp-fb:108 goog-remb
a=rtcp-fb:108 transport-cc
a=rtcp-fb:108 ccm fir
a=rtcp-fb:108 nack
a=rtcp-fb:108 nack pli
a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
a=rtpmap:109 rtx/90000
a=fmtp:109 apt=108
a=rtpmap:127 H264/90000
a=rtcp-fb:127 goog-remb
a=rtcp-fb:127 transport-cc
a=rtcp-fb:127 ccm fir
a=rtcp-fb:127 nack
a=rtcp-fb:127 nack pli
a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtpmap:125 rtx/90000
a=fmtp:125 apt=127
a=rtpmap:39 H264/90000
a=rtcp-fb:39 goog-remb
a=rtcp-fb:39 transport-cc
a=rtcp-fb:39 ccm fir
a=rtcp-fb:39 nack
a=rtcp-fb:39 nack pli
a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
a=rtpmap:40 rtx/90000
a=fmtp:40 apt=39
a=rtpmap:45 AV1/90000
a=rtcp-fb:45 goog-remb
a=rtcp-fb:45 transport-cc
a=rtcp-fb:45 ccm fir
a=rtcp-fb:45 nack
a=rtcp-fb:45 nack pli
a=fmtp:45 level-idx=5;profile=0;tier=0
a=rtpmap:46 rtx/90000
a=fmtp:46 apt=45
a=rtpmap:98 VP9/90000
a=rtcp-fb:98 goog-remb
a=rtcp-fb:98 transport-cc
a=rtcp-fb:98 ccm fir
a=rtcp-fb:98 nack
a=rtcp-fb:98 nack pli
a=fmtp:98 profile-id=0
a=rtpmap:99 rtx/90000
a=fmtp:99 apt=98
a=rtpmap:100 VP9/90000
a=rtcp-fb:100 goog-remb
a=rtcp-fb:100 transport-cc
a=rtcp-fb:100 ccm fir
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=fmtp:100 profile-id=2
a=rtpmap:101 rtx/90000
a=fmtp:101 apt=100
a=rtpmap:112 H264/90000
a=rtcp-fb:112 goog-remb
a=rtcp-fb:112 transport-cc
a=rtcp-fb:112 ccm fir
a=rtcp-fb:112 nack
a=rtcp-fb:112 nack pli
a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
a=rtpmap:113 rtx/90000
a=fmtp:113 apt=112
a=rtpmap:116 red/90000
a=rtpmap:117 rtx/90000
a=fmtp:117 apt=116
a=rtpmap:118 ulpfec/90000
a=ssrc-group:FID 2718281828 3141592653
a=ssrc:2718281828 cname:JuIvX8S3ZjVnjVqp
a=ssrc:2718281828 msid:0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10 9c6f1e2d-3b4a-4f5e-8a7b-6c5d4e3f2a1b
a=ssrc:3141592653 cname:JuIvX8S3ZjVnjVqp
a=ssrc:3141592653 msid:0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10 9c6f1e2d-3b4a-4f5e-8a7b-6c5d4e3f2a1b
)";

// Firefox 120 WHEP player: fingerprint and direction at session level, fmtp before
// rtpmap, extmap with a direction, braces in cnames.
const char *firefox_offer = R"(v=0
o=mozilla...THIS_IS_SDPARTA-99.0 7532811391446337862 0 IN IP4 0.0.0.0
s=-
t=0 0
a=sendrecv
a=fingerprint:sha-256 5E:A1:07:C3:9B:22:F4:6D:80:3A:E9:51:7C:0F:B8:64:D2:19:A5:3E:C1:78:4B:06:F3:9D:2C:E7:85:1A:60:BF
a=group:BUNDLE 0 1
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 0.0.0.0
a=recvonly
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:4e1d6a3c9b2f8e7a5d0c1b3f6e9a2d4c
a=ice-ufrag:7c1f2b9a
a=mid:0
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=setup:actpass
a=ssrc:3021519416 cname:{1b7d4c2e-9f3a-4e8b-a6d5-0c2f7e9b1a34}
m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98
c=IN IP4 0.0.0.0
a=recvonly
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
a=fmtp:120 max-fs=12288;max-fr=60
a=fmtp:124 apt=120
a=fmtp:121 max-fs=12288;max-fr=60
a=fmtp:125 apt=121
a=fmtp:127 apt=126
a=fmtp:98 apt=97
a=ice-pwd:4e1d6a3c9b2f8e7a5d0c1b3f6e9a2d4c
a=ice-ufrag:7c1f2b9a
a=mid:1
a=rtcp-fb:120 nack
a=rtcp-fb:120 nack pli
a=rtcp-fb:120 ccm fir
a=rtcp-fb:120 goog-remb
a=rtcp-fb:120 transport-cc
a=rtcp-fb:121 nack
a=rtcp-fb:121 nack pli
a=rtcp-fb:121 ccm fir
a=rtcp-fb:121 goog-remb
a=rtcp-fb:121 transport-cc
a=rtcp-fb:126 nack
a=rtcp-fb:126 nack pli
a=rtcp-fb:126 ccm fir
a=rtcp-fb:126 goog-remb
a=rtcp-fb:126 transport-cc
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 ccm fir
a=rtcp-fb:97 goog-remb
a=rtcp-fb:97 transport-cc
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:120 VP8/90000
a=rtpmap:124 rtx/90000
a=rtpmap:121 VP9/90000
a=rtpmap:125 rtx/90000
a=rtpmap:126 H264/90000
a=rtpmap:127 rtx/90000
a=rtpmap:97 H264/90000
a=rtpmap:98 rtx/90000
a=setup:actpass
a=ssrc:1180245725 cname:{1b7d4c2e-9f3a-4e8b-a6d5-0c2f7e9b1a34}
)";

// OBS 30 WHIP output (libdatachannel): gathering done before the offer, so the
// candidates are in it; a second group (LS); a data channel for good measure.
const char *obs_offer = R"(v=0
o=rtc 2683123485 0 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1 2
a=group:LS 0 1
a=msid-semantic:WMS *
a=ice-options:ice2,trickle
a=fingerprint:sha-256 9B:04:E2:7F:31:C8:5A:D6:12:8E:B4:F0:63:2D:A7:19:C5:4E:8B:70:3F:E6:21:9A:D4:0B:75:C2:1E:68:AF:53
m=audio 54609 UDP/TLS/RTP/SAVPF 111
c=IN IP4 192.168.1.20
a=mid:0
a=sendonly
a=ssrc:2882411722 cname:obs-cname
a=ssrc:2882411722 msid:obs-stream obs-stream-audio
a=msid:obs-stream obs-stream-audio
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1
a=setup:actpass
a=ice-ufrag:Xo3b
a=ice-pwd:w9Yk1CqP7rT2mZ4vB8nD6fHs
a=candidate:1 1 UDP 2122317823 192.168.1.20 54609 typ host
a=candidate:2 1 UDP 1686109951 203.0.113.5 54609 typ srflx raddr 0.0.0.0 rport 0
a=candidate:3 1 TCP 1015023871 192.168.1.20 9 typ host tcptype active
a=end-of-candidates
m=video 54609 UDP/TLS/RTP/SAVPF 96
c=IN IP4 192.168.1.20
a=mid:1
a=sendonly
a=ssrc:2882411723 cname:obs-cname
a=ssrc:2882411723 msid:obs-stream obs-stream-video
a=msid:obs-stream obs-stream-video
a=rtcp-mux
a=rtpmap:96 H264/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 goog-remb
a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1
a=setup:actpass
a=ice-ufrag:Xo3b
a=ice-pwd:w9Yk1CqP7rT2mZ4vB8nD6fHs
a=candidate:1 1 UDP 2122317823 192.168.1.20 54609 typ host
a=end-of-candidates
m=application 54609 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 192.168.1.20
a=mid:2
a=sctp-port:5000
a=max-message-size:262144
a=setup:actpass
a=ice-ufrag:Xo3b
a=ice-pwd:w9Yk1CqP7rT2mZ4vB8nD6fHs
)";

// Chrome 120 WHEP player: the same transceivers made recvonly, so no msid and no ssrc
// lines, and credentials of its own.
std::string chrome_whep_offer()
{
    std::string out;
    std::istringstream in(chrome_whip_offer);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("a=msid:", 0) == 0 || line.rfind("a=ssrc", 0) == 0) {
            continue;
        }
        if (line == "a=sendonly") {
            line = "a=recvonly";
        } else if (line.rfind("a=msid-semantic:", 0) == 0) {
            line = "a=msid-semantic: WMS";
        } else if (line.rfind("a=ice-ufrag:", 0) == 0) {
            line = "a=ice-ufrag:w7Qd";
        }
        out += line + "\n";
    }
    return out;
}

// Text with CRLF line ends, as browsers send it.
std::string crlf(const std::string &lf)
{
    std::string out;
    for (char c : lf) {
        if (c == '\n') {
            out += '\r';
        }
        out += c;
    }
    return out;
}

typedef std::unique_ptr<sr_sdp_t, decltype(&free)> sdp_ptr;

sdp_ptr new_sdp()
{
    return sdp_ptr((sr_sdp_t *)calloc(1, sizeof(sr_sdp_t)), free);
}

int parse(const std::string &text, sr_sdp_t *out)
{
    return sr_sdp_parse(text.data(), text.size(), out);
}

std::string write(const sr_sdp_t *sdp, size_t cap = 64 * 1024)
{
    std::string buf(cap, '\0');
    size_t len = 0;
    int rc = sr_sdp_write(sdp, &buf[0], buf.size(), &len);
    EXPECT_EQ(SR_OK, rc) << sr_err_name(rc);
    buf.resize(rc == SR_OK ? len : 0);
    return buf;
}

// Parse, write, parse again into a and b: the same struct, and the text a fixed point.
void expect_round_trip(const std::string &text, sr_sdp_t *a, sr_sdp_t *b)
{
    ASSERT_SR_OK(parse(text, a));
    std::string written = write(a, text.size() * 2 + 256);
    ASSERT_SR_OK(parse(written, b));
    a->is_truncated = false;
    EXPECT_EQ(0, memcmp(a, b, sizeof(sr_sdp_t)));
    EXPECT_EQ(written, write(b, written.size() + 1));
}

void expect_round_trip(const std::string &text)
{
    sdp_ptr a = new_sdp(), b = new_sdp();
    expect_round_trip(text, a.get(), b.get());
}

int count_codecs(const sr_sdp_media_t *m, const char *name)
{
    int n = 0;
    for (const sr_sdp_codec_t *c = sr_sdp_codec_find(m, name, NULL); c; c = sr_sdp_codec_find(m, name, c)) {
        n++;
    }
    return n;
}

} // namespace

// ---- real offers ----

TEST(Sdp, ChromeWhipOfferSession)
{
    sdp_ptr sdp = new_sdp();
    ASSERT_SR_OK(parse(crlf(chrome_whip_offer), sdp.get()));
    EXPECT_STREQ("-", sdp->origin_username);
    EXPECT_STREQ("4215775240449105457", sdp->origin_sess_id);
    EXPECT_STREQ("2", sdp->origin_sess_version);
    EXPECT_STREQ("IP4", sdp->origin_addrtype);
    EXPECT_STREQ("127.0.0.1", sdp->origin_address);
    ASSERT_EQ(2, sdp->nb_bundle);
    EXPECT_STREQ("0", sdp->bundle[0]);
    EXPECT_STREQ("1", sdp->bundle[1]);
    EXPECT_TRUE(sdp->extmap_allow_mixed);
    EXPECT_FALSE(sdp->ice_lite);
    EXPECT_STREQ("WMS 0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10", sdp->msid_semantic);
    EXPECT_FALSE(sdp->is_truncated);
    ASSERT_EQ(2, sdp->nb_media);
}

TEST(Sdp, ChromeWhipOfferAudio)
{
    sdp_ptr sdp = new_sdp();
    ASSERT_SR_OK(parse(crlf(chrome_whip_offer), sdp.get()));
    const sr_sdp_media_t *a = &sdp->media[0];
    EXPECT_EQ(SR_SDP_KIND_AUDIO, a->kind);
    EXPECT_EQ(9, a->port);
    EXPECT_STREQ("UDP/TLS/RTP/SAVPF", a->proto);
    const uint8_t pts[] = {111, 63, 9, 0, 8, 13, 110, 126};
    ASSERT_EQ(sizeof(pts), a->nb_pts);
    EXPECT_EQ(0, memcmp(pts, a->pts, sizeof(pts)));
    EXPECT_STREQ("0", a->mid);
    EXPECT_EQ(SR_SDP_DIR_SENDONLY, a->direction);
    EXPECT_TRUE(a->rtcp_mux);
    EXPECT_FALSE(a->rtcp_rsize);
    EXPECT_STREQ("EsAw", a->transport.ice_ufrag);
    EXPECT_STREQ("bP+XJMM09aR8AiX1jdukzR6Y", a->transport.ice_pwd);
    EXPECT_STREQ("sha-256", a->transport.fingerprint_alg);
    EXPECT_STREQ("DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:88:20:BD:1C:E1:3B:46",
                 a->transport.fingerprint);
    EXPECT_EQ(SR_SDP_SETUP_ACTPASS, a->transport.setup);
    ASSERT_EQ(4, a->nb_extmaps);
    EXPECT_EQ(3, a->extmaps[2].id);
    EXPECT_STREQ("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", a->extmaps[2].uri);
    EXPECT_EQ(SR_SDP_DIR_NONE, a->extmaps[2].direction);

    ASSERT_EQ(8, a->nb_codecs);
    const sr_sdp_codec_t *opus = sr_sdp_codec_find(a, "OPUS", NULL);
    ASSERT_NE(nullptr, opus);
    EXPECT_EQ(&a->codecs[0], opus); // m= order is preference order
    EXPECT_EQ(111, opus->pt);
    EXPECT_STREQ("opus", opus->name);
    EXPECT_EQ(48000u, opus->clock_rate);
    EXPECT_EQ(2, opus->channels);
    EXPECT_STREQ("minptime=10;useinbandfec=1", opus->fmtp);
    EXPECT_EQ(SR_SDP_FB_TRANSPORT_CC, opus->rtcp_fb);
    const sr_sdp_codec_t *pcmu = sr_sdp_codec_by_pt(a, 0);
    ASSERT_NE(nullptr, pcmu);
    EXPECT_STREQ("PCMU", pcmu->name);
    EXPECT_EQ(0, pcmu->channels);
    EXPECT_EQ(2, count_codecs(a, "telephone-event"));

    EXPECT_STREQ("0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10", a->msid_stream);
    EXPECT_STREQ("5b1e3c7d-2a9f-4e61-8d0c-7f4b2a9e1c35", a->msid_track);
    ASSERT_EQ(1, a->nb_ssrcs);
    EXPECT_EQ(1843314734u, a->ssrcs[0].ssrc);
    EXPECT_STREQ("JuIvX8S3ZjVnjVqp", a->ssrcs[0].cname);
    EXPECT_STREQ("0a3d5f9e-4d7b-4c43-9b39-3f8c1d2e7a10", a->ssrcs[0].msid_stream);
    EXPECT_STREQ("5b1e3c7d-2a9f-4e61-8d0c-7f4b2a9e1c35", a->ssrcs[0].msid_track);
    EXPECT_EQ(0, a->nb_candidates);
}

TEST(Sdp, ChromeWhipOfferVideo)
{
    sdp_ptr sdp = new_sdp();
    ASSERT_SR_OK(parse(crlf(chrome_whip_offer), sdp.get()));
    const sr_sdp_media_t *v = &sdp->media[1];
    EXPECT_EQ(SR_SDP_KIND_VIDEO, v->kind);
    EXPECT_STREQ("1", v->mid);
    EXPECT_TRUE(v->rtcp_rsize);
    EXPECT_EQ(25, v->nb_pts);
    EXPECT_EQ(25, v->nb_codecs);
    EXPECT_EQ(11, v->nb_extmaps);
    EXPECT_EQ(7, count_codecs(v, "h264"));
    EXPECT_EQ(12, count_codecs(v, "rtx"));
    EXPECT_EQ(2, count_codecs(v, "VP9"));
    ASSERT_NE(nullptr, sr_sdp_codec_find(v, "AV1", NULL));

    const uint8_t all_fb =
        SR_SDP_FB_NACK | SR_SDP_FB_NACK_PLI | SR_SDP_FB_CCM_FIR | SR_SDP_FB_GOOG_REMB | SR_SDP_FB_TRANSPORT_CC;
    EXPECT_EQ(all_fb, sr_sdp_codec_by_pt(v, 96)->rtcp_fb);
    EXPECT_EQ(0, sr_sdp_codec_by_pt(v, 97)->rtcp_fb);

    // what a WHIP server does: the first H.264 with packetization-mode 1, Constrained Baseline
    const sr_sdp_codec_t *pick = NULL;
    for (const sr_sdp_codec_t *c = sr_sdp_codec_find(v, "H264", NULL); c && !pick;
         c = sr_sdp_codec_find(v, "H264", c)) {
        sr_sdp_h264_t h;
        ASSERT_SR_OK(sr_sdp_h264_params(c, &h));
        if (h.packetization_mode == 1 && h.profile_level_id == 0x42e01f) {
            pick = c;
        }
    }
    ASSERT_NE(nullptr, pick);
    EXPECT_EQ(106, pick->pt);
    const sr_sdp_codec_t *rtx = sr_sdp_codec_rtx(v, pick->pt);
    ASSERT_NE(nullptr, rtx);
    EXPECT_EQ(107, rtx->pt);
    EXPECT_EQ(nullptr, sr_sdp_codec_rtx(v, 118)); // ulpfec has no rtx
    EXPECT_EQ(125, sr_sdp_codec_rtx(v, 127)->pt);

    ASSERT_EQ(1, v->nb_ssrc_groups);
    EXPECT_STREQ("FID", v->ssrc_groups[0].semantics);
    ASSERT_EQ(2, v->ssrc_groups[0].nb_ssrcs);
    EXPECT_EQ(2718281828u, v->ssrc_groups[0].ssrcs[0]);
    EXPECT_EQ(3141592653u, v->ssrc_groups[0].ssrcs[1]);
    ASSERT_EQ(2, v->nb_ssrcs);
    EXPECT_EQ(3141592653u, v->ssrcs[1].ssrc);
    EXPECT_STREQ("9c6f1e2d-3b4a-4f5e-8a7b-6c5d4e3f2a1b", v->ssrcs[1].msid_track);
}

TEST(Sdp, ChromeWhepOffer)
{
    sdp_ptr sdp = new_sdp();
    ASSERT_SR_OK(parse(crlf(chrome_whep_offer()), sdp.get()));
    ASSERT_EQ(2, sdp->nb_media);
    EXPECT_STREQ("WMS", sdp->msid_semantic);
    for (int i = 0; i < 2; i++) {
        const sr_sdp_media_t *m = &sdp->media[i];
        EXPECT_EQ(SR_SDP_DIR_RECVONLY, sr_sdp_media_direction(sdp.get(), m));
        EXPECT_EQ(SR_SDP_DIR_SENDONLY, sr_sdp_direction_reverse(m->direction));
        EXPECT_EQ(0, m->nb_ssrcs);
        EXPECT_STREQ("", m->msid_stream);
    }
    EXPECT_EQ(25, sdp->media[1].nb_codecs);
    EXPECT_STREQ("w7Qd", sdp->media[1].transport.ice_ufrag);
    EXPECT_EQ(&sdp->media[1], sr_sdp_media_by_mid(sdp.get(), "1"));
    EXPECT_EQ(nullptr, sr_sdp_media_by_mid(sdp.get(), "2"));
    EXPECT_EQ(nullptr, sr_sdp_media_by_mid(sdp.get(), ""));
}

TEST(Sdp, FirefoxOffer)
{
    sdp_ptr sdp = new_sdp();
    ASSERT_SR_OK(parse(crlf(firefox_offer), sdp.get()));
    EXPECT_STREQ("mozilla...THIS_IS_SDPARTA-99.0", sdp->origin_username);
    EXPECT_EQ(SR_SDP_DIR_SENDRECV, sdp->direction);
    EXPECT_STREQ("WMS *", sdp->msid_semantic);
    EXPECT_STREQ("sha-256", sdp->transport.fingerprint_alg);
    ASSERT_EQ(2, sdp->nb_media);

    // the session fingerprint applies to each section; their own ufrag/pwd/setup stay
    const sr_sdp_media_t *a = &sdp->media[0];
    EXPECT_STREQ("", a->transport.fingerprint);
    sr_sdp_transport_t t;
    sr_sdp_transport_resolve(sdp.get(), a, &t);
    EXPECT_STREQ("5E:A1:07:C3:9B:22:F4:6D:80:3A:E9:51:7C:0F:B8:64:D2:19:A5:3E:C1:78:4B:06:F3:9D:2C:E7:85:1A:60:BF",
                 t.fingerprint);
    EXPECT_STREQ("sha-256", t.fingerprint_alg);
    EXPECT_STREQ("7c1f2b9a", t.ice_ufrag);
    EXPECT_STREQ("4e1d6a3c9b2f8e7a5d0c1b3f6e9a2d4c", t.ice_pwd);
    EXPECT_EQ(SR_SDP_SETUP_ACTPASS, t.setup);

    // media direction wins over the session's
    EXPECT_EQ(SR_SDP_DIR_RECVONLY, sr_sdp_media_direction(sdp.get(), a));
    ASSERT_EQ(3, a->nb_extmaps);
    EXPECT_EQ(SR_SDP_DIR_RECVONLY, a->extmaps[1].direction);
    EXPECT_STREQ("urn:ietf:params:rtp-hdrext:csrc-audio-level", a->extmaps[1].uri);
    // fmtp came before rtpmap
    const sr_sdp_codec_t *opus = sr_sdp_codec_by_pt(a, 109);
    ASSERT_NE(nullptr, opus);
    EXPECT_STREQ("maxplaybackrate=48000;stereo=1;useinbandfec=1", opus->fmtp);
    EXPECT_EQ(1, sr_sdp_codec_by_pt(a, 9)->channels);
    ASSERT_EQ(1, a->nb_ssrcs);
    EXPECT_STREQ("{1b7d4c2e-9f3a-4e8b-a6d5-0c2f7e9b1a34}", a->ssrcs[0].cname);

    const sr_sdp_media_t *v = &sdp->media[1];
    ASSERT_EQ(8, v->nb_codecs);
    const uint8_t order[] = {120, 124, 121, 125, 126, 127, 97, 98};
    for (size_t i = 0; i < sizeof(order); i++) {
        EXPECT_EQ(order[i], v->codecs[i].pt) << i;
    }
    sr_sdp_h264_t h;
    ASSERT_SR_OK(sr_sdp_h264_params(sr_sdp_codec_by_pt(v, 126), &h));
    EXPECT_EQ(1, h.packetization_mode);
    EXPECT_EQ(0x42e01fu, h.profile_level_id);
    EXPECT_TRUE(h.level_asymmetry_allowed);
    ASSERT_SR_OK(sr_sdp_h264_params(sr_sdp_codec_by_pt(v, 97), &h));
    EXPECT_EQ(0, h.packetization_mode);
    EXPECT_EQ(127, sr_sdp_codec_rtx(v, 126)->pt);
    EXPECT_EQ(98, sr_sdp_codec_rtx(v, 97)->pt);
    EXPECT_EQ(SR_SDP_FB_NACK | SR_SDP_FB_NACK_PLI | SR_SDP_FB_CCM_FIR | SR_SDP_FB_GOOG_REMB | SR_SDP_FB_TRANSPORT_CC,
              sr_sdp_codec_by_pt(v, 97)->rtcp_fb);
}

TEST(Sdp, ObsOfferWithCandidatesAndDataChannel)
{
    sdp_ptr sdp = new_sdp();
    ASSERT_SR_OK(parse(crlf(obs_offer), sdp.get()));
    EXPECT_EQ(3, sdp->nb_bundle); // LS is not BUNDLE
    ASSERT_EQ(3, sdp->nb_media);
    const sr_sdp_media_t *a = &sdp->media[0];
    EXPECT_EQ(54609, a->port);
    ASSERT_EQ(3, a->nb_candidates);
    const sr_sdp_candidate_t *c = &a->candidates[1];
    EXPECT_STREQ("2", c->foundation);
    EXPECT_EQ(1, c->component);
    EXPECT_STREQ("UDP", c->transport);
    EXPECT_EQ(1686109951u, c->priority);
    EXPECT_STREQ("203.0.113.5", c->address);
    EXPECT_EQ(54609, c->port);
    EXPECT_STREQ("srflx", c->type);
    EXPECT_STREQ("raddr 0.0.0.0 rport 0", c->extension);
    EXPECT_STREQ("tcptype active", a->candidates[2].extension);
    EXPECT_STREQ("", a->candidates[0].extension);
    EXPECT_TRUE(a->end_of_candidates);
    EXPECT_STREQ("obs-stream", a->msid_stream);

    const sr_sdp_media_t *d = &sdp->media[2];
    EXPECT_EQ(SR_SDP_KIND_APPLICATION, d->kind);
    EXPECT_STREQ("UDP/DTLS/SCTP", d->proto);
    EXPECT_STREQ("webrtc-datachannel", d->fmt);
    EXPECT_EQ(0, d->nb_pts);
    EXPECT_EQ(5000, d->sctp_port);
    EXPECT_EQ(262144u, d->max_message_size);
    EXPECT_EQ(SR_SDP_DIR_SENDRECV, sr_sdp_media_direction(sdp.get(), d));
}

TEST(Sdp, RoundTripsOfRealOffers)
{
    for (const std::string &offer :
         {std::string(chrome_whip_offer), chrome_whep_offer(), std::string(firefox_offer), std::string(obs_offer)}) {
        expect_round_trip(crlf(offer));
        expect_round_trip(offer); // LF only
    }
}

TEST(Sdp, LfAndCrlfParseTheSame)
{
    sdp_ptr a = new_sdp(), b = new_sdp();
    ASSERT_SR_OK(parse(crlf(chrome_whip_offer), a.get()));
    ASSERT_SR_OK(parse(chrome_whip_offer, b.get()));
    EXPECT_EQ(0, memcmp(a.get(), b.get(), sizeof(sr_sdp_t)));
    std::string no_final_newline = chrome_whip_offer;
    no_final_newline.pop_back();
    ASSERT_SR_OK(parse(no_final_newline, b.get()));
    EXPECT_EQ(0, memcmp(a.get(), b.get(), sizeof(sr_sdp_t)));
}

// ---- answers ----

TEST(Sdp, WritesAnAnswerFromAFilledStruct)
{
    sdp_ptr offer = new_sdp(), answer = new_sdp();
    ASSERT_SR_OK(parse(crlf(chrome_whip_offer), offer.get()));
    sr_sdp_t *s = answer.get();
    strcpy(s->origin_username, "strand");
    strcpy(s->origin_sess_id, "1700000000");
    strcpy(s->origin_sess_version, "2");
    s->ice_lite = true;
    s->nb_bundle = offer->nb_bundle;
    memcpy(s->bundle, offer->bundle, sizeof(s->bundle));
    strcpy(s->msid_semantic, "WMS");
    s->nb_media = 2;
    for (int i = 0; i < 2; i++) {
        const sr_sdp_media_t *o = &offer->media[i];
        sr_sdp_media_t *m = &s->media[i];
        m->kind = o->kind;
        m->port = 9;
        strcpy(m->proto, o->proto);
        strcpy(m->mid, o->mid);
        m->direction = sr_sdp_direction_reverse(o->direction);
        m->rtcp_mux = true;
        m->rtcp_rsize = o->rtcp_rsize;
        strcpy(m->transport.ice_ufrag, "srv1");
        strcpy(m->transport.ice_pwd, "0123456789abcdefghijklmn");
        strcpy(m->transport.fingerprint_alg, "sha-256");
        strcpy(m->transport.fingerprint, "AA:BB");
        m->transport.setup = SR_SDP_SETUP_PASSIVE;
        sr_sdp_candidate_t *c = &m->candidates[m->nb_candidates++];
        strcpy(c->foundation, "0");
        c->component = 1;
        strcpy(c->transport, "udp");
        c->priority = 2130706431;
        strcpy(c->address, "192.0.2.10");
        c->port = 8000;
        strcpy(c->type, "host");
        m->end_of_candidates = true;
    }
    sr_sdp_media_t *a = &s->media[0], *v = &s->media[1];
    a->codecs[a->nb_codecs++] = *sr_sdp_codec_find(&offer->media[0], "opus", NULL);
    a->pts[a->nb_pts++] = 111;
    a->extmaps[a->nb_extmaps++] = offer->media[0].extmaps[3];
    v->codecs[v->nb_codecs++] = *sr_sdp_codec_by_pt(&offer->media[1], 106);
    v->codecs[v->nb_codecs++] = *sr_sdp_codec_rtx(&offer->media[1], 106);
    v->pts[v->nb_pts++] = 106;
    v->pts[v->nb_pts++] = 107;
    v->codecs[0].rtcp_fb &= (uint8_t)~SR_SDP_FB_GOOG_REMB;

    const char *want = "v=0\r\n"
                       "o=strand 1700000000 2 IN IP4 0.0.0.0\r\n"
                       "s=-\r\n"
                       "t=0 0\r\n"
                       "a=ice-lite\r\n"
                       "a=group:BUNDLE 0 1\r\n"
                       "a=msid-semantic: WMS\r\n"
                       "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                       "c=IN IP4 0.0.0.0\r\n"
                       "a=ice-ufrag:srv1\r\n"
                       "a=ice-pwd:0123456789abcdefghijklmn\r\n"
                       "a=fingerprint:sha-256 AA:BB\r\n"
                       "a=setup:passive\r\n"
                       "a=mid:0\r\n"
                       "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                       "a=recvonly\r\n"
                       "a=rtcp-mux\r\n"
                       "a=rtpmap:111 opus/48000/2\r\n"
                       "a=rtcp-fb:111 transport-cc\r\n"
                       "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
                       "a=candidate:0 1 udp 2130706431 192.0.2.10 8000 typ host\r\n"
                       "a=end-of-candidates\r\n"
                       "m=video 9 UDP/TLS/RTP/SAVPF 106 107\r\n"
                       "c=IN IP4 0.0.0.0\r\n"
                       "a=ice-ufrag:srv1\r\n"
                       "a=ice-pwd:0123456789abcdefghijklmn\r\n"
                       "a=fingerprint:sha-256 AA:BB\r\n"
                       "a=setup:passive\r\n"
                       "a=mid:1\r\n"
                       "a=recvonly\r\n"
                       "a=rtcp-mux\r\n"
                       "a=rtcp-rsize\r\n"
                       "a=rtpmap:106 H264/90000\r\n"
                       "a=rtcp-fb:106 transport-cc\r\n"
                       "a=rtcp-fb:106 ccm fir\r\n"
                       "a=rtcp-fb:106 nack\r\n"
                       "a=rtcp-fb:106 nack pli\r\n"
                       "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
                       "a=rtpmap:107 rtx/90000\r\n"
                       "a=fmtp:107 apt=106\r\n"
                       "a=candidate:0 1 udp 2130706431 192.0.2.10 8000 typ host\r\n"
                       "a=end-of-candidates\r\n";
    std::string text = write(s);
    EXPECT_EQ(want, text);

    // what it writes is exactly what fits, NUL included
    size_t len = 0;
    std::string buf(text.size() + 1, 'x');
    for (size_t cap = 0; cap <= text.size(); cap++) {
        SCOPED_TRACE(cap);
        EXPECT_SR_ERR(SR_EOVERFLOW, sr_sdp_write(s, &buf[0], cap, &len));
    }
    ASSERT_SR_OK(sr_sdp_write(s, &buf[0], buf.size(), &len));
    EXPECT_EQ(text.size(), len);
    EXPECT_EQ('\0', buf[len]);
    expect_round_trip(text);
}

TEST(Sdp, WriterRefusesWhatWouldBreakTheText)
{
    sdp_ptr s = new_sdp();
    std::string buf(4096, '\0');
    size_t len = 0;
    s->nb_media = 1;
    s->media[0].kind = SR_SDP_KIND_OTHER; // no kind_name
    strcpy(s->media[0].proto, "RTP/AVP");
    EXPECT_SR_ERR(SR_EINVAL, sr_sdp_write(s.get(), &buf[0], buf.size(), &len));
    strcpy(s->media[0].kind_name, "text");
    ASSERT_SR_OK(sr_sdp_write(s.get(), &buf[0], buf.size(), &len));
    expect_round_trip(buf.substr(0, len));

    strcpy(s->media[0].mid, "0\r\na=ice-lite"); // a line forged through a field
    EXPECT_SR_ERR(SR_EINVAL, sr_sdp_write(s.get(), &buf[0], buf.size(), &len));
    s->media[0].mid[0] = '\0';
    s->media[0].nb_codecs = SR_SDP_MAX_CODECS + 1;
    EXPECT_SR_ERR(SR_EINVAL, sr_sdp_write(s.get(), &buf[0], buf.size(), &len));
    s->media[0].nb_codecs = 0;
    s->nb_media = SR_SDP_MAX_MEDIA + 1;
    EXPECT_SR_ERR(SR_EINVAL, sr_sdp_write(s.get(), &buf[0], buf.size(), &len));
}

// ---- malformed, truncated and hostile input ----

TEST(Sdp, RefusesMalformedDescriptions)
{
    sdp_ptr s = new_sdp();
    const std::string origin = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    const char nul_text[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=x\0y\r\n"; // a NUL byte
    const std::string cases[] = {
        "",
        "\r\n\r\n",
        "o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n", // v= must come first
        "v=1\r\no=- 1 1 IN IP4 0.0.0.0\r\n",
        "v=0\r\ns=-\r\nt=0 0\r\n",   // no o=
        "v=0\r\no=- 1 1 IN IP4\r\n", // o= of five fields
        origin + "m=audio\r\n",
        origin + "m=audio 9\r\n",
        origin + "m=audio x UDP/TLS/RTP/SAVPF 111\r\n",
        origin + "m=audio 65536 UDP/TLS/RTP/SAVPF 111\r\n",
        origin + "m=audio 9 " + std::string(40, 'P') + " 111\r\n",
        origin + "m=" + std::string(20, 'k') + " 9 RTP/AVP 0\r\n",
        origin + "m=audio 9 RTP/AVP 0\r\na=mid:" + std::string(SR_SDP_MID_MAX, 'm') + "\r\n",
        origin + "a=group:BUNDLE 0 " + std::string(SR_SDP_MID_MAX, 'm') + "\r\n",
        origin + "a=ice-ufrag:" + std::string(257, 'u') + "\r\n",
        origin + "m=audio 9 RTP/AVP 0\r\na=ice-pwd:" + std::string(257, 'p') + "\r\n",
        origin + "a=fingerprint:sha-256 " + std::string(SR_SDP_FINGERPRINT_MAX, 'A') + "\r\n",
        origin + "a=fingerprint:" + std::string(16, 's') + " AA\r\n",
        std::string(nul_text, sizeof(nul_text) - 1),
    };
    for (size_t i = 0; i < SR_ARRAY_SIZE(cases); i++) {
        SCOPED_TRACE(i);
        EXPECT_SR_ERR(SR_EFORMAT, parse(cases[i], s.get()));
    }
    ASSERT_SR_OK(parse(origin + "a=ice-ufrag:" + std::string(256, 'u') + "\r\n", s.get()));
    EXPECT_EQ(256u, strlen(s->transport.ice_ufrag));
}

TEST(Sdp, RefusesTooManySections)
{
    sdp_ptr s = new_sdp();
    std::string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n";
    for (int i = 0; i < SR_SDP_MAX_MEDIA; i++) {
        text += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:" + std::to_string(i) + "\r\n";
    }
    ASSERT_SR_OK(parse(text, s.get()));
    EXPECT_EQ(SR_SDP_MAX_MEDIA, s->nb_media);
    text += "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    EXPECT_SR_ERR(SR_EUNSUPPORTED, parse(text, s.get()));
}

TEST(Sdp, IgnoresUnknownAndUnreadableLines)
{
    sdp_ptr s = new_sdp();
    std::string text = "\r\nv=0\r\n"
                       "o=- 1 1 IN IP4 0.0.0.0\r\n"
                       "garbage\r\n"
                       "x\r\n"
                       "z=whatever\r\n"
                       "a=unknown-thing:1 2 3\r\n"
                       "a=candidate:1 1 udp 1 10.0.0.1 9 typ host\r\n" // session level: ignored
                       "m=video 9 UDP/TLS/RTP/SAVPF 96 97 200 abc 96\r\n"
                       "a=rtpmap:96\r\n"
                       "a=rtpmap:96 VP8\r\n"
                       "a=rtpmap:96 VP8/x\r\n"
                       "a=rtpmap:96 VP8/90000/300\r\n"
                       "a=rtpmap:95 VP8/90000\r\n" // not on the m= line
                       "a=rtpmap:97 VP9/90000\r\n"
                       "a=rtpmap:97 H264/90000\r\n" // the first counts
                       "a=fmtp:96 apt=1\r\n"        // no rtpmap in the end: dropped
                       "a=rtcp-fb:97 nack sli\r\n"
                       "a=rtcp-fb:97 foo\r\n"
                       "a=rtcp-fb:* nack\r\n"
                       "a=setup:sideways\r\n"
                       "a=extmap:0 urn:x\r\n"
                       "a=extmap:1/sideways urn:x\r\n"
                       "a=extmap:2\r\n"
                       "a=candidate:1 1 udp 1 10.0.0.1 9 type host\r\n"
                       "a=candidate:1 0 udp 1 10.0.0.1 9 typ host\r\n"
                       "a=candidate:1 1 udp 1 10.0.0.1 70000 typ host\r\n"
                       "a=ssrc:abc cname:x\r\n"
                       "a=ssrc:5 cname:\r\n"
                       "a=ssrc:5 label:x\r\n"
                       "a=ssrc-group:\r\n";
    ASSERT_SR_OK(parse(text, s.get()));
    const sr_sdp_media_t *m = &s->media[0];
    ASSERT_EQ(2, m->nb_pts); // 200, abc and the repeated 96 are not payload types we keep
    ASSERT_EQ(1, m->nb_codecs);
    EXPECT_STREQ("VP9", m->codecs[0].name);
    EXPECT_EQ(0, m->codecs[0].rtcp_fb);
    EXPECT_EQ(SR_SDP_FB_NACK, m->rtcp_fb_all);
    EXPECT_EQ(SR_SDP_SETUP_NONE, m->transport.setup);
    EXPECT_EQ(0, m->nb_extmaps);
    EXPECT_EQ(0, m->nb_candidates);
    EXPECT_EQ(0, m->nb_ssrcs);
    EXPECT_EQ(0, m->nb_ssrc_groups);
    expect_round_trip(text);
}

TEST(Sdp, KeepsListsToTheirLimits)
{
    sdp_ptr s = new_sdp();
    std::string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF";
    for (int pt = 0; pt < 100; pt++) {
        text += " " + std::to_string(pt);
    }
    text += "\r\n";
    for (int pt = 0; pt < 100; pt++) {
        text += "a=rtpmap:" + std::to_string(pt) + " X" + std::to_string(pt) + "/90000\r\n";
    }
    for (int i = 1; i <= 30; i++) {
        text += "a=extmap:" + std::to_string(i) + " urn:ext:" + std::to_string(i) + "\r\n";
        text += "a=candidate:" + std::to_string(i) + " 1 udp 1 10.0.0.1 9 typ host\r\n";
        text += "a=ssrc:" + std::to_string(i) + " cname:c\r\n";
        text += "a=ssrc-group:FID 1 2 3 4 5 6\r\n";
    }
    ASSERT_SR_OK(parse(text, s.get()));
    const sr_sdp_media_t *m = &s->media[0];
    EXPECT_TRUE(s->is_truncated);
    EXPECT_EQ(SR_SDP_MAX_PTS, m->nb_pts);
    EXPECT_EQ(SR_SDP_MAX_CODECS, m->nb_codecs);
    EXPECT_STREQ("X47", m->codecs[SR_SDP_MAX_CODECS - 1].name);
    EXPECT_EQ(SR_SDP_MAX_EXTMAPS, m->nb_extmaps);
    EXPECT_EQ(SR_SDP_MAX_CANDIDATES, m->nb_candidates);
    EXPECT_EQ(SR_SDP_MAX_SSRCS, m->nb_ssrcs);
    EXPECT_EQ(SR_SDP_MAX_SSRC_GROUPS, m->nb_ssrc_groups);
    EXPECT_EQ(SR_SDP_MAX_GROUP_SSRCS, m->ssrc_groups[0].nb_ssrcs);
    expect_round_trip(text);
}

TEST(Sdp, DropsEntriesWhoseTextDoesNotFit)
{
    sdp_ptr s = new_sdp();
    std::string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"
                       "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
                       "a=rtpmap:96 H264/90000\r\n"
                       "a=fmtp:96 sprop-parameter-sets=" +
                       std::string(SR_SDP_FMTP_MAX, 'Z') +
                       "\r\n"
                       "a=rtpmap:97 " +
                       std::string(40, 'N') +
                       "/90000\r\n"
                       "a=extmap:1 urn:" +
                       std::string(SR_SDP_URI_MAX, 'u') +
                       "\r\n"
                       "a=candidate:1 1 udp 1 10.0.0.1 9 typ srflx " +
                       std::string(SR_SDP_EXTENSION_MAX, 'e') +
                       "\r\n"
                       "a=ssrc:1 cname:" +
                       std::string(SR_SDP_TOKEN_MAX, 'c') + "\r\n";
    ASSERT_SR_OK(parse(text, s.get()));
    const sr_sdp_media_t *m = &s->media[0];
    EXPECT_TRUE(s->is_truncated);
    EXPECT_EQ(0, m->nb_codecs); // H.264 without its fmtp would be a wrong H.264
    EXPECT_EQ(0, m->nb_extmaps);
    ASSERT_EQ(1, m->nb_candidates); // usable without its extension attributes
    EXPECT_STREQ("", m->candidates[0].extension);
    EXPECT_EQ(0, m->nb_ssrcs);
}

TEST(Sdp, EveryTruncationOfAnOfferParsesCleanly)
{
    std::string text = crlf(obs_offer);
    sdp_ptr a = new_sdp(), b = new_sdp();
    for (size_t n = 0; n < text.size(); n++) {
        SCOPED_TRACE(n);
        std::string cut = text.substr(0, n);
        int rc = parse(cut, a.get());
        ASSERT_TRUE(rc == SR_OK || rc == -SR_EFORMAT) << sr_err_name(rc);
        if (rc == SR_OK) {
            expect_round_trip(cut, a.get(), b.get());
        }
    }
}

// ---- helpers ----

TEST(Sdp, H264Params)
{
    sr_sdp_codec_t c;
    memset(&c, 0, sizeof(c));
    sr_sdp_h264_t h;
    ASSERT_SR_OK(sr_sdp_h264_params(&c, &h)); // all defaults
    EXPECT_EQ(0x42000au, h.profile_level_id);
    EXPECT_FALSE(h.has_profile_level_id);
    EXPECT_EQ(0, h.packetization_mode);
    EXPECT_FALSE(h.level_asymmetry_allowed);

    strcpy(c.fmtp, "packetization-mode=1; profile-level-id=64001F ;level-asymmetry-allowed=0");
    ASSERT_SR_OK(sr_sdp_h264_params(&c, &h));
    EXPECT_EQ(0x64001fu, h.profile_level_id);
    EXPECT_TRUE(h.has_profile_level_id);
    EXPECT_EQ(1, h.packetization_mode);
    EXPECT_FALSE(h.level_asymmetry_allowed);

    for (const char *bad : {"profile-level-id=42e01", "profile-level-id=42e01g", "profile-level-id=42e01f0",
                            "packetization-mode=3", "packetization-mode=", "packetization-mode=-1",
                            "level-asymmetry-allowed=2", "packetization-mode=99999999999"}) {
        SCOPED_TRACE(bad);
        strcpy(c.fmtp, bad);
        EXPECT_SR_ERR(SR_EFORMAT, sr_sdp_h264_params(&c, &h));
    }
}

TEST(Sdp, FingerprintDecode)
{
    uint8_t out[64];
    size_t len = 0;
    ASSERT_SR_OK(sr_sdp_fingerprint_decode(
        "DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:88:20:BD:1C:E1:3B:46", out,
        sizeof(out), &len));
    ASSERT_EQ(32u, len);
    EXPECT_EQ(0xDA, out[0]);
    EXPECT_EQ(0x46, out[31]);
    ASSERT_SR_OK(sr_sdp_fingerprint_decode("0a:bC", out, sizeof(out), &len));
    ASSERT_EQ(2u, len);
    EXPECT_EQ(0x0a, out[0]);
    EXPECT_EQ(0xbc, out[1]);
    for (const char *bad : {"", "A", "AB:", "AB:C", "ABC", "AB:CD:", "AB::CD", "G0", "AB CD", ":AB"}) {
        SCOPED_TRACE(bad);
        EXPECT_SR_ERR(SR_EFORMAT, sr_sdp_fingerprint_decode(bad, out, sizeof(out), &len));
    }
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_sdp_fingerprint_decode("AB:CD:EF", out, 2, &len));
}

TEST(Sdp, TransportResolveTakesEachFieldFromTheNearestLevel)
{
    sdp_ptr s = new_sdp();
    std::string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"
                       "a=ice-ufrag:sess\r\na=ice-pwd:sessionpassword0123456789\r\n"
                       "a=fingerprint:sha-1 AA:BB\r\na=setup:active\r\n"
                       "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                       "a=ice-ufrag:med1\r\na=fingerprint:sha-256 CC:DD\r\n"
                       "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                       "a=setup:passive\r\n";
    ASSERT_SR_OK(parse(text, s.get()));
    sr_sdp_transport_t t;
    sr_sdp_transport_resolve(s.get(), &s->media[0], &t);
    EXPECT_STREQ("med1", t.ice_ufrag);
    EXPECT_STREQ("sessionpassword0123456789", t.ice_pwd);
    EXPECT_STREQ("sha-256", t.fingerprint_alg);
    EXPECT_STREQ("CC:DD", t.fingerprint);
    EXPECT_EQ(SR_SDP_SETUP_ACTIVE, t.setup);
    sr_sdp_transport_resolve(s.get(), &s->media[1], &t);
    EXPECT_STREQ("sess", t.ice_ufrag);
    EXPECT_STREQ("sha-1", t.fingerprint_alg);
    EXPECT_EQ(SR_SDP_SETUP_PASSIVE, t.setup);
    expect_round_trip(text);
}

TEST(Sdp, Names)
{
    EXPECT_STREQ("sendonly", sr_sdp_direction_name(SR_SDP_DIR_SENDONLY));
    EXPECT_STREQ("", sr_sdp_direction_name(SR_SDP_DIR_NONE));
    EXPECT_STREQ("", sr_sdp_direction_name((sr_sdp_direction_t)99));
    EXPECT_STREQ("holdconn", sr_sdp_setup_name(SR_SDP_SETUP_HOLDCONN));
    EXPECT_STREQ("application", sr_sdp_kind_name(SR_SDP_KIND_APPLICATION));
    EXPECT_STREQ("", sr_sdp_kind_name(SR_SDP_KIND_OTHER));
    EXPECT_EQ(SR_SDP_DIR_SENDRECV, sr_sdp_direction_reverse(SR_SDP_DIR_NONE));
    EXPECT_EQ(SR_SDP_DIR_INACTIVE, sr_sdp_direction_reverse(SR_SDP_DIR_INACTIVE));
}
