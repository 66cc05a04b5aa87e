/* SPDX-License-Identifier: MIT */
/*
 * sr_sdp.c: the SDP parser. Text is read line by line as (pointer, length) spans, never
 * NUL-terminated in place; each known attribute has a handler in one table, and every
 * value is copied into the fixed fields of sr_sdp_t (sr_sdp.h says what is refused and
 * what is dropped). Not a general SDP parser: it keeps what a WHIP/WHEP answer and the
 * ICE, DTLS and RTP layers need. The writer and the lookup helpers are in sr_sdp_write.c.
 */
#include "sr_sdp.h"

#include <string.h>

#include "sr_error.h"

/* A piece of the input text. */
typedef struct sr_sdp_span {
    const char *p;
    size_t n;
} sr_sdp_span_t;

typedef struct sr_sdp_parser {
    sr_sdp_t *sdp;
    sr_sdp_media_t *m; /* the current m= section, NULL at session level */
} sr_sdp_parser_t;

/* ==== spans ==== */

static bool sr_sdp_is_space(char c)
{
    return c == ' ' || c == '\t';
}

static sr_sdp_span_t sr_sdp_trim(sr_sdp_span_t s)
{
    while (s.n && sr_sdp_is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && sr_sdp_is_space(s.p[s.n - 1])) {
        s.n--;
    }
    return s;
}

/* The next space-separated token of *rest (empty at the end); *rest moves past it. */
static sr_sdp_span_t sr_sdp_token(sr_sdp_span_t *rest)
{
    sr_sdp_span_t s = sr_sdp_trim(*rest), t = {s.p, 0};
    while (t.n < s.n && !sr_sdp_is_space(s.p[t.n])) {
        t.n++;
    }
    rest->p = s.p + t.n;
    rest->n = s.n - t.n;
    return t;
}

/* s split at the first c: *before gets what comes before it, s what follows; false
 * (and s unchanged) when there is no c. */
static bool sr_sdp_split(sr_sdp_span_t *s, char c, sr_sdp_span_t *before)
{
    const char *at = memchr(s->p, c, s->n);
    if (!at) {
        return false;
    }
    *before = (sr_sdp_span_t){s->p, (size_t)(at - s->p)};
    s->n -= before->n + 1;
    s->p = at + 1;
    return true;
}

static bool sr_sdp_eq(sr_sdp_span_t s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* Copy a non-empty s into dst[0..cap) with its NUL; false when empty or too long, and
 * then dst is left alone. */
static bool sr_sdp_copy(char *dst, size_t cap, sr_sdp_span_t s)
{
    if (s.n == 0 || s.n >= cap) {
        return false;
    }
    memset(dst, 0, cap); /* a whole field, so structs compare with memcmp */
    memcpy(dst, s.p, s.n);
    return true;
}

#define SR_SDP_COPY(dst, s) sr_sdp_copy((dst), sizeof(dst), (s))

/* s as a decimal number no greater than max (at most UINT32_MAX). */
static bool sr_sdp_number(sr_sdp_span_t s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (s.n == 0) {
        return false;
    }
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > max) {
            return false;
        }
    }
    *out = (uint32_t)v;
    return true;
}

static sr_sdp_direction_t sr_sdp_direction_of(sr_sdp_span_t s)
{
    for (int d = SR_SDP_DIR_SENDRECV; d <= SR_SDP_DIR_INACTIVE; d++) {
        if (sr_sdp_eq(s, sr_sdp_direction_name((sr_sdp_direction_t)d))) {
            return (sr_sdp_direction_t)d;
        }
    }
    return SR_SDP_DIR_NONE;
}

/* ==== session level ==== */

/* o=USERNAME SESS-ID SESS-VERSION NETTYPE ADDRTYPE ADDRESS (RFC 8866 5.2). */
static int sr_sdp_parse_origin(sr_sdp_t *sdp, sr_sdp_span_t v)
{
    sr_sdp_span_t user = sr_sdp_token(&v), id = sr_sdp_token(&v), version = sr_sdp_token(&v);
    sr_sdp_span_t nettype = sr_sdp_token(&v), addrtype = sr_sdp_token(&v), address = sr_sdp_token(&v);
    if (!SR_SDP_COPY(sdp->origin_username, user) || !SR_SDP_COPY(sdp->origin_sess_id, id) ||
        !SR_SDP_COPY(sdp->origin_sess_version, version) || nettype.n == 0 ||
        !SR_SDP_COPY(sdp->origin_addrtype, addrtype) || !SR_SDP_COPY(sdp->origin_address, address)) {
        return -SR_EFORMAT;
    }
    return SR_OK;
}

/* a=group:BUNDLE mid... (RFC 8843 7.1); other semantics are not kept. */
static int sr_sdp_attr_group(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_t *sdp = p->sdp;
    if (!sr_sdp_eq(sr_sdp_token(&v), "BUNDLE") || sdp->nb_bundle) {
        return SR_OK;
    }
    for (sr_sdp_span_t mid = sr_sdp_token(&v); mid.n; mid = sr_sdp_token(&v)) {
        if (sdp->nb_bundle == SR_SDP_MAX_MEDIA) {
            sdp->is_truncated = true;
            break;
        }
        if (!SR_SDP_COPY(sdp->bundle[sdp->nb_bundle], mid)) {
            return -SR_EFORMAT;
        }
        sdp->nb_bundle++;
    }
    return SR_OK;
}

static int sr_sdp_attr_ice_lite(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    p->sdp->ice_lite = true;
    return SR_OK;
}

static int sr_sdp_attr_msid_semantic(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    if (!p->sdp->msid_semantic[0] && !SR_SDP_COPY(p->sdp->msid_semantic, sr_sdp_trim(v))) {
        p->sdp->is_truncated |= sr_sdp_trim(v).n > 0;
    }
    return SR_OK;
}

/* ==== session or media level ==== */

static sr_sdp_transport_t *sr_sdp_transport_of(sr_sdp_parser_t *p)
{
    return p->m ? &p->m->transport : &p->sdp->transport;
}

/* a=ice-ufrag and a=ice-pwd (RFC 8839 5.4): compared by ICE, so too long is refused. */
static int sr_sdp_attr_ice(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_transport_t *t = sr_sdp_transport_of(p);
    bool is_ufrag = sr_sdp_eq(name, "ice-ufrag");
    char *dst = is_ufrag ? t->ice_ufrag : t->ice_pwd;
    sr_sdp_span_t value = sr_sdp_token(&v);
    if (dst[0] || value.n == 0) {
        return SR_OK;
    }
    return sr_sdp_copy(dst, SR_SDP_ICE_MAX, value) ? SR_OK : -SR_EFORMAT;
}

/* a=fingerprint:ALG VALUE (RFC 8122 5). */
static int sr_sdp_attr_fingerprint(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_transport_t *t = sr_sdp_transport_of(p);
    sr_sdp_span_t alg = sr_sdp_token(&v), value = sr_sdp_token(&v);
    if (t->fingerprint_alg[0] || alg.n == 0 || value.n == 0) {
        return SR_OK;
    }
    if (alg.n >= sizeof(t->fingerprint_alg) || !SR_SDP_COPY(t->fingerprint, value)) {
        return -SR_EFORMAT;
    }
    SR_SDP_COPY(t->fingerprint_alg, alg);
    return SR_OK;
}

static int sr_sdp_attr_setup(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_transport_t *t = sr_sdp_transport_of(p);
    sr_sdp_span_t value = sr_sdp_token(&v);
    for (int s = SR_SDP_SETUP_ACTPASS; s <= SR_SDP_SETUP_HOLDCONN && !t->setup; s++) {
        if (sr_sdp_eq(value, sr_sdp_setup_name((sr_sdp_setup_t)s))) {
            t->setup = (sr_sdp_setup_t)s;
        }
    }
    return SR_OK;
}

static int sr_sdp_attr_direction(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_direction_t *d = p->m ? &p->m->direction : &p->sdp->direction;
    if (*d == SR_SDP_DIR_NONE) {
        *d = sr_sdp_direction_of(name);
    }
    return SR_OK;
}

/* Property attributes without a value. */
static int sr_sdp_attr_flag(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_media_t *m = p->m;
    if (sr_sdp_eq(name, "extmap-allow-mixed")) {
        *(m ? &m->extmap_allow_mixed : &p->sdp->extmap_allow_mixed) = true;
    } else if (sr_sdp_eq(name, "rtcp-mux")) {
        m->rtcp_mux = true;
    } else if (sr_sdp_eq(name, "rtcp-mux-only")) {
        m->rtcp_mux_only = true;
    } else if (sr_sdp_eq(name, "rtcp-rsize")) {
        m->rtcp_rsize = true;
    } else {
        m->end_of_candidates = true;
    }
    return SR_OK;
}

/* ==== media level ==== */

/* a=mid (RFC 8843): echoed by the answer and matched with BUNDLE, so too long is refused. */
static int sr_sdp_attr_mid(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_span_t mid = sr_sdp_token(&v);
    if (p->m->mid[0] || mid.n == 0) {
        return SR_OK;
    }
    return SR_SDP_COPY(p->m->mid, mid) ? SR_OK : -SR_EFORMAT;
}

static int sr_sdp_attr_control(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    (void)name;
    if (p->m->control[0] || v.n == 0) {
        return SR_OK;
    }
    return SR_SDP_COPY(p->m->control, v) ? SR_OK : -SR_EFORMAT;
}

/* The next free slot (zeroed) of a list of max entries counted by *nb, filled with
 * item (size bytes) unless item is NULL; NULL, and is_truncated set, when full. */
static void *sr_sdp_append(sr_sdp_parser_t *p, void *list, uint8_t *nb, size_t max, const void *item, size_t size)
{
    if (*nb == max) {
        p->sdp->is_truncated = true;
        return NULL;
    }
    uint8_t *slot = (uint8_t *)list + (size_t)(*nb)++ * size;
    if (item) {
        memcpy(slot, item, size);
    }
    return slot;
}

/* a=candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE [EXT...]
 * (RFC 8839 5.1); one that does not read is skipped. */
static int sr_sdp_attr_candidate(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_media_t *m = p->m;
    sr_sdp_candidate_t c;
    memset(&c, 0, sizeof(c));
    sr_sdp_span_t foundation = sr_sdp_token(&v), component = sr_sdp_token(&v), transport = sr_sdp_token(&v);
    sr_sdp_span_t priority = sr_sdp_token(&v), address = sr_sdp_token(&v), port = sr_sdp_token(&v);
    sr_sdp_span_t typ = sr_sdp_token(&v), type = sr_sdp_token(&v), ext = sr_sdp_trim(v);
    uint32_t comp = 0, prio = 0, port_num = 0;
    if (!SR_SDP_COPY(c.foundation, foundation) || !sr_sdp_number(component, 256, &comp) || comp == 0 ||
        !SR_SDP_COPY(c.transport, transport) || !sr_sdp_number(priority, UINT32_MAX, &prio) ||
        !SR_SDP_COPY(c.address, address) || !sr_sdp_number(port, 65535, &port_num) || !sr_sdp_eq(typ, "typ") ||
        !SR_SDP_COPY(c.type, type)) {
        return SR_OK;
    }
    c.component = (uint16_t)comp;
    c.priority = prio;
    c.port = (uint16_t)port_num;
    if (ext.n && !SR_SDP_COPY(c.extension, ext)) {
        p->sdp->is_truncated = true; /* the candidate is still usable without them */
    }
    sr_sdp_append(p, m->candidates, &m->nb_candidates, SR_SDP_MAX_CANDIDATES, &c, sizeof(c));
    return SR_OK;
}

/* a=extmap:ID[/DIRECTION] URI [ATTRIBUTES] (RFC 8285 5). */
static int sr_sdp_attr_extmap(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_media_t *m = p->m;
    sr_sdp_extmap_t e;
    memset(&e, 0, sizeof(e));
    sr_sdp_span_t id_text = sr_sdp_token(&v), dir = id_text, id = id_text, uri = sr_sdp_token(&v);
    uint32_t id_num = 0;
    if (sr_sdp_split(&dir, '/', &id)) {
        if ((e.direction = sr_sdp_direction_of(dir)) == SR_SDP_DIR_NONE) {
            return SR_OK;
        }
    }
    if (!sr_sdp_number(id, 65535, &id_num) || id_num == 0 || uri.n == 0) {
        return SR_OK;
    }
    e.id = (uint16_t)id_num;
    if (!SR_SDP_COPY(e.uri, uri)) {
        p->sdp->is_truncated = true;
        return SR_OK;
    }
    sr_sdp_append(p, m->extmaps, &m->nb_extmaps, SR_SDP_MAX_EXTMAPS, &e, sizeof(e));
    return SR_OK;
}

/* The codec entry of the payload type in pt_text, made on first mention; NULL when the
 * type is not a number on the m= line or the table is full. */
static sr_sdp_codec_t *sr_sdp_codec_at(sr_sdp_parser_t *p, sr_sdp_span_t pt_text)
{
    sr_sdp_media_t *m = p->m;
    uint32_t pt = 0;
    if (!sr_sdp_number(pt_text, 127, &pt) || !memchr(m->pts, (int)pt, m->nb_pts)) {
        return NULL;
    }
    for (size_t i = 0; i < m->nb_codecs; i++) {
        if (m->codecs[i].pt == pt) {
            return &m->codecs[i];
        }
    }
    sr_sdp_codec_t *c = sr_sdp_append(p, m->codecs, &m->nb_codecs, SR_SDP_MAX_CODECS, NULL, sizeof(*c));
    if (c) {
        c->pt = (uint8_t)pt;
    }
    return c;
}

/* a=rtpmap:PT NAME/RATE[/CHANNELS] (RFC 8866 6.6). */
static int sr_sdp_attr_rtpmap(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_span_t pt = sr_sdp_token(&v), rest = sr_sdp_token(&v), codec_name, rate;
    uint32_t rate_num = 0, channels = 0;
    char text[sizeof(((sr_sdp_codec_t *)NULL)->name)];
    if (!sr_sdp_split(&rest, '/', &codec_name) || !SR_SDP_COPY(text, codec_name)) {
        return SR_OK;
    }
    if (!sr_sdp_split(&rest, '/', &rate)) {
        rate = rest; /* no channels */
        rest.n = 0;
    }
    if (!sr_sdp_number(rate, UINT32_MAX, &rate_num) || (rest.n && !sr_sdp_number(rest, 255, &channels))) {
        return SR_OK;
    }
    sr_sdp_codec_t *c = sr_sdp_codec_at(p, pt);
    if (c && !c->name[0]) {
        memcpy(c->name, text, sizeof(text));
        c->clock_rate = rate_num;
        c->channels = (uint8_t)channels;
    }
    return SR_OK;
}

/* a=fmtp:PT PARAMETERS (RFC 8866 6.15), kept as text; too long drops the codec, which
 * is not safe to use with half its parameters. */
static int sr_sdp_attr_fmtp(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_span_t pt = sr_sdp_token(&v), params = sr_sdp_trim(v);
    sr_sdp_codec_t *c = params.n ? sr_sdp_codec_at(p, pt) : NULL;
    if (c && !c->fmtp[0] && !SR_SDP_COPY(c->fmtp, params)) {
        c->_bad = true;
        p->sdp->is_truncated = true;
    }
    return SR_OK;
}

/* The SR_SDP_FB_* bit of "TYPE [PARAM]", 0 for the others. */
static uint8_t sr_sdp_fb_bit(sr_sdp_span_t type, sr_sdp_span_t param)
{
    if (sr_sdp_eq(type, "nack")) {
        return param.n == 0 ? SR_SDP_FB_NACK : sr_sdp_eq(param, "pli") ? SR_SDP_FB_NACK_PLI : 0;
    }
    if (sr_sdp_eq(type, "ccm")) {
        return sr_sdp_eq(param, "fir") ? SR_SDP_FB_CCM_FIR : 0;
    }
    if (sr_sdp_eq(type, "goog-remb")) {
        return SR_SDP_FB_GOOG_REMB;
    }
    return sr_sdp_eq(type, "transport-cc") ? SR_SDP_FB_TRANSPORT_CC : 0;
}

/* a=rtcp-fb:PT|* TYPE [PARAM] (RFC 4585 4.2). */
static int sr_sdp_attr_rtcp_fb(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_span_t pt = sr_sdp_token(&v), type = sr_sdp_token(&v), param = sr_sdp_token(&v);
    uint8_t bit = sr_sdp_fb_bit(type, param);
    if (!bit) {
        return SR_OK;
    }
    if (sr_sdp_eq(pt, "*")) {
        p->m->rtcp_fb_all |= bit;
        return SR_OK;
    }
    sr_sdp_codec_t *c = sr_sdp_codec_at(p, pt);
    if (c) {
        c->rtcp_fb |= bit;
    }
    return SR_OK;
}

/* The entry of ssrc in m, made on first use; NULL when full. */
static sr_sdp_ssrc_t *sr_sdp_ssrc_at(sr_sdp_parser_t *p, uint32_t ssrc)
{
    sr_sdp_media_t *m = p->m;
    for (size_t i = 0; i < m->nb_ssrcs; i++) {
        if (m->ssrcs[i].ssrc == ssrc) {
            return &m->ssrcs[i];
        }
    }
    sr_sdp_ssrc_t *s = sr_sdp_append(p, m->ssrcs, &m->nb_ssrcs, SR_SDP_MAX_SSRCS, NULL, sizeof(*s));
    if (s) {
        s->ssrc = ssrc;
    }
    return s;
}

/* a=ssrc:SSRC cname:CNAME and a=ssrc:SSRC msid:STREAM [TRACK] (RFC 5576 4.1, RFC
 * 8830); other ssrc attributes (mslabel, label) are not kept. */
static int sr_sdp_attr_ssrc(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_span_t id = sr_sdp_token(&v), value = sr_sdp_trim(v), attr;
    uint32_t ssrc = 0;
    if (!sr_sdp_number(id, UINT32_MAX, &ssrc) || !sr_sdp_split(&value, ':', &attr)) {
        return SR_OK;
    }
    bool is_cname = sr_sdp_eq(attr, "cname");
    if (!is_cname && !sr_sdp_eq(attr, "msid")) {
        return SR_OK;
    }
    value = sr_sdp_trim(value);
    sr_sdp_span_t stream = value, track = {"", 0};
    if (!is_cname) {
        stream = sr_sdp_token(&value);
        track = sr_sdp_token(&value);
    }
    if (stream.n == 0) {
        return SR_OK;
    }
    if (stream.n >= SR_SDP_TOKEN_MAX || track.n >= SR_SDP_TOKEN_MAX) {
        p->sdp->is_truncated = true;
        return SR_OK;
    }
    sr_sdp_ssrc_t *s = sr_sdp_ssrc_at(p, ssrc);
    if (s && is_cname && !s->cname[0]) {
        SR_SDP_COPY(s->cname, stream);
    } else if (s && !is_cname && !s->msid_stream[0]) {
        SR_SDP_COPY(s->msid_stream, stream);
        SR_SDP_COPY(s->msid_track, track);
    }
    return SR_OK;
}

/* a=ssrc-group:SEMANTICS SSRC... (RFC 5576 4.2). */
static int sr_sdp_attr_ssrc_group(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_media_t *m = p->m;
    sr_sdp_ssrc_group_t g;
    memset(&g, 0, sizeof(g));
    if (!SR_SDP_COPY(g.semantics, sr_sdp_token(&v))) {
        return SR_OK;
    }
    uint32_t ssrc = 0;
    for (sr_sdp_span_t t = sr_sdp_token(&v); sr_sdp_number(t, UINT32_MAX, &ssrc); t = sr_sdp_token(&v)) {
        if (g.nb_ssrcs == SR_SDP_MAX_GROUP_SSRCS) {
            p->sdp->is_truncated = true;
            break;
        }
        g.ssrcs[g.nb_ssrcs++] = ssrc;
    }
    sr_sdp_append(p, m->ssrc_groups, &m->nb_ssrc_groups, SR_SDP_MAX_SSRC_GROUPS, &g, sizeof(g));
    return SR_OK;
}

/* a=msid:STREAM [TRACK] (RFC 8830 2). */
static int sr_sdp_attr_msid(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_media_t *m = p->m;
    sr_sdp_span_t stream = sr_sdp_token(&v), track = sr_sdp_token(&v);
    if (m->msid_stream[0] || stream.n == 0) {
        return SR_OK;
    }
    if (stream.n >= sizeof(m->msid_stream) || track.n >= sizeof(m->msid_track)) {
        p->sdp->is_truncated = true;
        return SR_OK;
    }
    SR_SDP_COPY(m->msid_stream, stream);
    SR_SDP_COPY(m->msid_track, track);
    return SR_OK;
}

/* a=sctp-port and a=max-message-size (RFC 8841 5, 6). */
static int sr_sdp_attr_sctp(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t v)
{
    sr_sdp_media_t *m = p->m;
    uint32_t n = 0;
    if (sr_sdp_eq(name, "sctp-port")) {
        if (!m->sctp_port && sr_sdp_number(sr_sdp_token(&v), 65535, &n)) {
            m->sctp_port = (uint16_t)n;
        }
    } else if (!m->max_message_size && sr_sdp_number(sr_sdp_token(&v), UINT32_MAX, &n)) {
        m->max_message_size = n;
    }
    return SR_OK;
}

/* ==== dispatch ==== */

typedef int (*sr_sdp_attr_fn)(sr_sdp_parser_t *p, sr_sdp_span_t name, sr_sdp_span_t value);

#define SR_SDP_AT_SESSION 1
#define SR_SDP_AT_MEDIA 2
#define SR_SDP_AT_BOTH 3

static const struct sr_sdp_attr_entry {
    const char *name;
    uint8_t where;
    sr_sdp_attr_fn fn;
} sr_sdp_attrs[] = {
    {"group", SR_SDP_AT_SESSION, sr_sdp_attr_group},
    {"ice-lite", SR_SDP_AT_SESSION, sr_sdp_attr_ice_lite},
    {"msid-semantic", SR_SDP_AT_SESSION, sr_sdp_attr_msid_semantic},
    {"ice-ufrag", SR_SDP_AT_BOTH, sr_sdp_attr_ice},
    {"ice-pwd", SR_SDP_AT_BOTH, sr_sdp_attr_ice},
    {"fingerprint", SR_SDP_AT_BOTH, sr_sdp_attr_fingerprint},
    {"setup", SR_SDP_AT_BOTH, sr_sdp_attr_setup},
    {"sendrecv", SR_SDP_AT_BOTH, sr_sdp_attr_direction},
    {"sendonly", SR_SDP_AT_BOTH, sr_sdp_attr_direction},
    {"recvonly", SR_SDP_AT_BOTH, sr_sdp_attr_direction},
    {"inactive", SR_SDP_AT_BOTH, sr_sdp_attr_direction},
    {"extmap-allow-mixed", SR_SDP_AT_BOTH, sr_sdp_attr_flag},
    {"rtcp-mux", SR_SDP_AT_MEDIA, sr_sdp_attr_flag},
    {"rtcp-mux-only", SR_SDP_AT_MEDIA, sr_sdp_attr_flag},
    {"rtcp-rsize", SR_SDP_AT_MEDIA, sr_sdp_attr_flag},
    {"end-of-candidates", SR_SDP_AT_MEDIA, sr_sdp_attr_flag},
    {"mid", SR_SDP_AT_MEDIA, sr_sdp_attr_mid},
    {"control", SR_SDP_AT_MEDIA, sr_sdp_attr_control},
    {"candidate", SR_SDP_AT_MEDIA, sr_sdp_attr_candidate},
    {"extmap", SR_SDP_AT_MEDIA, sr_sdp_attr_extmap},
    {"rtpmap", SR_SDP_AT_MEDIA, sr_sdp_attr_rtpmap},
    {"fmtp", SR_SDP_AT_MEDIA, sr_sdp_attr_fmtp},
    {"rtcp-fb", SR_SDP_AT_MEDIA, sr_sdp_attr_rtcp_fb},
    {"ssrc", SR_SDP_AT_MEDIA, sr_sdp_attr_ssrc},
    {"ssrc-group", SR_SDP_AT_MEDIA, sr_sdp_attr_ssrc_group},
    {"msid", SR_SDP_AT_MEDIA, sr_sdp_attr_msid},
    {"sctp-port", SR_SDP_AT_MEDIA, sr_sdp_attr_sctp},
    {"max-message-size", SR_SDP_AT_MEDIA, sr_sdp_attr_sctp},
};

/* a=NAME[:VALUE]: to its handler, if it has one at this level. */
static int sr_sdp_parse_attr(sr_sdp_parser_t *p, sr_sdp_span_t v)
{
    sr_sdp_span_t name = v;
    if (!sr_sdp_split(&v, ':', &name)) {
        v = (sr_sdp_span_t){v.p + v.n, 0};
    }
    uint8_t level = p->m ? SR_SDP_AT_MEDIA : SR_SDP_AT_SESSION;
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_sdp_attrs); i++) {
        if ((sr_sdp_attrs[i].where & level) && sr_sdp_eq(name, sr_sdp_attrs[i].name)) {
            return sr_sdp_attrs[i].fn(p, name, v);
        }
    }
    return SR_OK;
}

/* ==== m= sections ==== */

/* The codecs of the finished section in m= order, without entries that got no rtpmap
 * or were dropped; freed slots are zeroed so parsed structs compare with memcmp. */
static void sr_sdp_media_end(sr_sdp_media_t *m)
{
    sr_sdp_codec_t tmp;
    size_t kept = 0;
    for (size_t i = 0; i < m->nb_pts; i++) {
        for (size_t j = kept; j < m->nb_codecs; j++) {
            sr_sdp_codec_t *c = &m->codecs[j];
            if (c->pt == m->pts[i] && c->name[0] && !c->_bad) {
                memcpy(&tmp, c, sizeof(tmp));
                memcpy(c, &m->codecs[kept], sizeof(tmp));
                memcpy(&m->codecs[kept++], &tmp, sizeof(tmp));
                break;
            }
        }
    }
    memset(&m->codecs[kept], 0, (m->nb_codecs - kept) * sizeof(m->codecs[0]));
    m->nb_codecs = (uint8_t)kept;
}

/* The format list: payload types for RTP protos, else the text as it is. */
static void sr_sdp_parse_formats(sr_sdp_t *sdp, sr_sdp_media_t *m, sr_sdp_span_t v)
{
    if (!strstr(m->proto, "RTP")) {
        sr_sdp_span_t fmt = sr_sdp_trim(v);
        sdp->is_truncated |= fmt.n && !SR_SDP_COPY(m->fmt, fmt);
        return;
    }
    uint32_t pt = 0;
    for (sr_sdp_span_t t = sr_sdp_token(&v); t.n; t = sr_sdp_token(&v)) {
        if (!sr_sdp_number(t, 127, &pt) || memchr(m->pts, (int)pt, m->nb_pts)) {
            continue;
        }
        if (m->nb_pts == SR_SDP_MAX_PTS) {
            sdp->is_truncated = true;
            break;
        }
        m->pts[m->nb_pts++] = (uint8_t)pt;
    }
}

/* m=KIND PORT[/N] PROTO FMT... (RFC 8866 5.14) starts a section. */
static int sr_sdp_parse_media(sr_sdp_parser_t *p, sr_sdp_span_t v)
{
    sr_sdp_t *sdp = p->sdp;
    if (p->m) {
        sr_sdp_media_end(p->m);
    }
    if (sdp->nb_media == SR_SDP_MAX_MEDIA) {
        return -SR_EUNSUPPORTED;
    }
    sr_sdp_media_t *m = p->m = &sdp->media[sdp->nb_media++];
    sr_sdp_span_t kind = sr_sdp_token(&v), port = sr_sdp_token(&v), proto = sr_sdp_token(&v), port_only;
    uint32_t port_num = 0;
    if (sr_sdp_split(&port, '/', &port_only)) {
        port = port_only; /* PORT/NUMBER-OF-PORTS: one port is all WebRTC uses */
    }
    if (!sr_sdp_number(port, 65535, &port_num) || !SR_SDP_COPY(m->proto, proto)) {
        return -SR_EFORMAT;
    }
    m->port = (uint16_t)port_num;
    for (int k = SR_SDP_KIND_AUDIO; k <= SR_SDP_KIND_APPLICATION && !m->kind; k++) {
        if (sr_sdp_eq(kind, sr_sdp_kind_name((sr_sdp_kind_t)k))) {
            m->kind = (sr_sdp_kind_t)k;
        }
    }
    if (!m->kind && !SR_SDP_COPY(m->kind_name, kind)) {
        return -SR_EFORMAT;
    }
    sr_sdp_parse_formats(sdp, m, v);
    return SR_OK;
}

/* ==== lines ==== */

/* One line without its end; *has_origin tracks the first o=. */
static int sr_sdp_parse_line(sr_sdp_parser_t *p, sr_sdp_span_t line, bool *has_origin)
{
    if (line.n < 2 || line.p[1] != '=') {
        return SR_OK;
    }
    sr_sdp_span_t v = {line.p + 2, line.n - 2};
    switch (line.p[0]) {
    case 'o':
        if (*has_origin) {
            return SR_OK;
        }
        *has_origin = true;
        return sr_sdp_parse_origin(p->sdp, v);
    case 'm':
        return sr_sdp_parse_media(p, v);
    case 'a':
        return sr_sdp_parse_attr(p, v);
    default:
        return SR_OK; /* s= i= u= e= p= c= b= t= r= z= k=: nothing an answer needs */
    }
}

int sr_sdp_parse(const char *text, size_t len, sr_sdp_t *out)
{
    memset(out, 0, sizeof(*out));
    if (memchr(text, '\0', len)) {
        return -SR_EFORMAT;
    }
    sr_sdp_parser_t p = {.sdp = out};
    bool has_version = false, has_origin = false;
    int rc = SR_OK;
    for (size_t pos = 0; pos < len && rc == SR_OK;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        sr_sdp_span_t line = {text + pos, end - pos};
        pos = end + 1;
        if (line.n && line.p[line.n - 1] == '\r') {
            line.n--;
        }
        if (line.n == 0) {
            continue;
        }
        if (!has_version) {
            /* RFC 8866 5: the description starts with v=0 */
            if (!sr_sdp_eq(line, "v=0")) {
                return -SR_EFORMAT;
            }
            has_version = true;
            continue;
        }
        rc = sr_sdp_parse_line(&p, line, &has_origin);
    }
    if (rc != SR_OK) {
        return rc;
    }
    if (p.m) {
        sr_sdp_media_end(p.m);
    }
    return has_version && has_origin ? SR_OK : -SR_EFORMAT;
}
