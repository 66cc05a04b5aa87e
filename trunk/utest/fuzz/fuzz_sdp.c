// SPDX-License-Identifier: MIT
// fuzz_sdp.c: libFuzzer harness for the SDP parser and writer (protocol/sr_sdp.h) on
// any text. Invariants: parse returns SR_OK, -SR_EFORMAT or -SR_EUNSUPPORTED; what
// parses has its counts within the limits and every string terminated in its field;
// it writes (exactly: one byte less of room is -SR_EOVERFLOW), the text parses back to
// the same struct (is_truncated aside), and writing that again gives the same text;
// the lookups return entries of the section they were asked about.
#include <string.h>

#include "sr_error.h"
#include "sr_sdp.h"

#include "fuzz.h"

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)
#define WRITE_CAP (1 << 20)

static sr_sdp_t a, b;
static char text_a[WRITE_CAP], text_b[WRITE_CAP];

static void check_media(const sr_sdp_t *sdp, const sr_sdp_media_t *m)
{
    FUZZ_CHECK(m->nb_pts <= SR_SDP_MAX_PTS && m->nb_codecs <= SR_SDP_MAX_CODECS);
    FUZZ_CHECK(m->nb_extmaps <= SR_SDP_MAX_EXTMAPS && m->nb_candidates <= SR_SDP_MAX_CANDIDATES);
    FUZZ_CHECK(m->nb_ssrcs <= SR_SDP_MAX_SSRCS && m->nb_ssrc_groups <= SR_SDP_MAX_SSRC_GROUPS);
    FUZZ_CHECK(TERMINATED(m->mid) && TERMINATED(m->proto) && TERMINATED(m->fmt) && TERMINATED(m->kind_name));
    FUZZ_CHECK(TERMINATED(m->transport.ice_ufrag) && TERMINATED(m->transport.ice_pwd));
    FUZZ_CHECK(TERMINATED(m->transport.fingerprint) && TERMINATED(m->transport.fingerprint_alg));
    FUZZ_CHECK(m->kind != SR_SDP_KIND_OTHER || m->kind_name[0]);
    for (size_t i = 0; i < m->nb_codecs; i++) {
        const sr_sdp_codec_t *c = &m->codecs[i];
        FUZZ_CHECK(c->pt <= 127 && c->name[0] && TERMINATED(c->name) && TERMINATED(c->fmtp) && !c->_bad);
        FUZZ_CHECK(memchr(m->pts, c->pt, m->nb_pts) && sr_sdp_codec_by_pt(m, c->pt) == c);
        const sr_sdp_codec_t *rtx = sr_sdp_codec_rtx(m, c->pt);
        FUZZ_CHECK(!rtx || (rtx >= m->codecs && rtx < m->codecs + m->nb_codecs));
        sr_sdp_h264_t h;
        int rc = sr_sdp_h264_params(c, &h);
        FUZZ_CHECK(rc == SR_OK || rc == -SR_EFORMAT);
        FUZZ_CHECK(rc != SR_OK || (h.packetization_mode <= 2 && h.profile_level_id <= 0xffffff));
    }
    for (const sr_sdp_codec_t *c = sr_sdp_codec_find(m, "H264", NULL); c; c = sr_sdp_codec_find(m, "H264", c)) {
        FUZZ_CHECK(c >= m->codecs && c < m->codecs + m->nb_codecs);
    }
    sr_sdp_transport_t t;
    sr_sdp_transport_resolve(sdp, m, &t);
    uint8_t digest[64];
    size_t n = 0;
    int rc = sr_sdp_fingerprint_decode(t.fingerprint, digest, sizeof(digest), &n);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_EFORMAT || rc == -SR_EOVERFLOW);
    FUZZ_CHECK(rc != SR_OK || (n > 0 && n <= sizeof(digest)));
    const sr_sdp_media_t *by_mid = sr_sdp_media_by_mid(sdp, m->mid);
    FUZZ_CHECK(m->mid[0] ? by_mid && strcmp(by_mid->mid, m->mid) == 0 && by_mid <= m : !by_mid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int rc = sr_sdp_parse((const char *)data, size, &a);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_EFORMAT || rc == -SR_EUNSUPPORTED);
    if (rc != SR_OK) {
        return 0;
    }
    FUZZ_CHECK(a.nb_media <= SR_SDP_MAX_MEDIA && a.nb_bundle <= SR_SDP_MAX_MEDIA);
    FUZZ_CHECK(a.origin_username[0] && TERMINATED(a.origin_address) && TERMINATED(a.msid_semantic));
    for (size_t i = 0; i < a.nb_media; i++) {
        check_media(&a, &a.media[i]);
    }

    size_t len_a = 0, len_b = 0, len_short = 0;
    FUZZ_CHECK(sr_sdp_write(&a, text_a, sizeof(text_a), &len_a) == SR_OK);
    FUZZ_CHECK(len_a < sizeof(text_a) && text_a[len_a] == '\0' && strlen(text_a) == len_a);
    FUZZ_CHECK(sr_sdp_write(&a, text_b, len_a, &len_short) == -SR_EOVERFLOW);
    FUZZ_CHECK(sr_sdp_parse(text_a, len_a, &b) == SR_OK);
    a.is_truncated = false;
    FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    FUZZ_CHECK(sr_sdp_write(&b, text_b, len_a + 1, &len_b) == SR_OK);
    FUZZ_CHECK(len_a == len_b && memcmp(text_a, text_b, len_a) == 0);
    return 0;
}
