/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_rtmp.c: the RTMP player of strand_bench. Handshake (complex by default),
 * connect / createStream / play, acknowledgements per the server's window, ping
 * responses, and a streaming chunk parser (RTMP 5.3) that never reassembles media:
 * it reads into the shared scratch buffer and keeps only the first SR_BENCH_HEAD
 * bytes of each message, which is all the counters and the latency stamp need.
 * Command messages (type 20) are kept whole, up to SR_BENCH_RTMP_CMD_MAX bytes, for
 * the few the setup has to read.
 *
 * Not for: publishing (sr_bench_publish.c uses the server's chunk reader and writer).
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_error.h"
#include "sr_rtmp_chunk.h"
#include "sr_rtmp_command.h"
#include "sr_rtmp_control.h"
#include "sr_rtmp_handshake.h"

#define SR_BENCH_RTMP_MAX_CS 8
#define SR_BENCH_RTMP_CMD_MAX 8192
#define SR_BENCH_RTMP_OUT_CHUNK 4096

/* One chunk stream's header state and the head of its current message. */
typedef struct sr_bench_cs {
    uint32_t csid;
    uint32_t ts, delta, len, left; /* left: bytes of the current message still to come */
    uint32_t sid;
    uint8_t type;
    bool has_ext;
    uint16_t got; /* bytes kept in head (or cmd) */
    uint8_t head[SR_BENCH_HEAD];
    uint8_t *cmd; /* whole command message, setup only */
} sr_bench_cs_t;

typedef struct sr_bench_rtmp {
    sr_bench_conn_t *conn;
    sr_sock_t *sock;
    uint8_t hdr[18];
    uint8_t hdr_len;
    bool in_body;
    sr_bench_cs_t *cur;
    uint32_t chunk_left;
    uint32_t in_chunk;
    uint32_t window;
    uint64_t recv, acked;
    uint32_t stream_id;
    int next_step; /* 0 none, 2 send createStream, 3 send play */
    bool has_pong;
    uint32_t pong_ts;
    int fail; /* set by dispatch: stop with this code */
    int ncs;
    sr_bench_cs_t cs[SR_BENCH_RTMP_MAX_CS];
} sr_bench_rtmp_t;

/* ==== sending ==== */

/* Send one message in a single chunk (we set our chunk size to 4096 first). May yield. */
static int sr_bench_rtmp_send(sr_bench_rtmp_t *r, uint32_t csid, uint8_t type, uint32_t sid, const void *body,
                              size_t len)
{
    uint8_t h[12];
    h[0] = (uint8_t)csid; /* fmt 0, csid < 64 */
    sr_put_be24(h + 1, 0);
    sr_put_be24(h + 4, (uint32_t)len);
    h[7] = type;
    sr_put_le32(h + 8, sid);
    struct iovec iov[2] = {{h, sizeof(h)}, {(void *)body, len}};
    return sr_io_writev(sr_sock_io(r->sock), iov, 2);
}

static int sr_bench_rtmp_send_buf(sr_bench_rtmp_t *r, uint32_t csid, uint8_t type, uint32_t sid, sr_buf_t *b)
{
    int rc = sr_bench_rtmp_send(r, csid, type, sid, b->data, b->len);
    sr_buf_deinit(b);
    return rc;
}

static int sr_bench_rtmp_send_connect(sr_bench_rtmp_t *r)
{
    const sr_bench_opts_t *o = r->conn->opts;
    char tc_url[1400];
    uint8_t cs[SR_RTMP_CONTROL_U32_BYTES];
    sr_buf_t b;
    snprintf(tc_url, sizeof(tc_url), "rtmp://%s:%d/%s", o->target.host, o->target.port, o->app);
    sr_rtmp_control_encode_set_chunk_size(cs, SR_BENCH_RTMP_OUT_CHUNK);
    int rc = sr_bench_rtmp_send(r, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_SET_CHUNK_SIZE, 0, cs, sizeof(cs));
    if (rc != SR_OK) {
        return rc;
    }
    sr_rtmp_connect_args_t a = {.app = o->app, .tc_url = tc_url, .flash_ver = "LNX 9,0,124,2"};
    sr_buf_init(&b);
    sr_rtmp_build_connect(&b, 1, &a);
    return sr_bench_rtmp_send_buf(r, 3, SR_RTMP_MSG_AMF0_COMMAND, 0, &b);
}

static int sr_bench_rtmp_send_play(sr_bench_rtmp_t *r)
{
    uint8_t ucb[SR_RTMP_USER_CONTROL_MAX_BYTES];
    char stream[sizeof(r->conn->opts->stream) + 16];
    sr_buf_t b;
    sr_bench_stream_name(r->conn->opts, r->conn->index, stream, sizeof(stream));
    sr_buf_init(&b);
    sr_rtmp_build_play(&b, 3, stream, -2);
    int rc = sr_bench_rtmp_send_buf(r, 8, SR_RTMP_MSG_AMF0_COMMAND, r->stream_id, &b);
    if (rc != SR_OK) {
        return rc;
    }
    sr_rtmp_user_control_t uc = {.event = SR_RTMP_UC_SET_BUFFER_LENGTH, .data = r->stream_id, .buffer_ms = 1000};
    size_t n = sr_rtmp_control_encode_user_control(ucb, &uc);
    return sr_bench_rtmp_send(r, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_USER_CONTROL, 0, ucb, n);
}

/* Send what processing the last read asked for: next command, pong, ack. May yield. */
static int sr_bench_rtmp_send_pending(sr_bench_rtmp_t *r)
{
    int rc = SR_OK;
    uint8_t body[SR_RTMP_USER_CONTROL_MAX_BYTES];
    if (r->next_step == 2) {
        sr_buf_t b;
        sr_buf_init(&b);
        sr_rtmp_build_create_stream(&b, 2);
        rc = sr_bench_rtmp_send_buf(r, 3, SR_RTMP_MSG_AMF0_COMMAND, 0, &b);
    } else if (r->next_step == 3) {
        rc = sr_bench_rtmp_send_play(r);
    }
    r->next_step = 0;
    if (rc == SR_OK && r->has_pong) {
        sr_rtmp_user_control_t uc = {.event = SR_RTMP_UC_PING_RESPONSE, .data = r->pong_ts};
        size_t n = sr_rtmp_control_encode_user_control(body, &uc);
        r->has_pong = false;
        rc = sr_bench_rtmp_send(r, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_USER_CONTROL, 0, body, n);
    }
    if (rc == SR_OK && r->window && r->recv - r->acked >= r->window) {
        sr_rtmp_control_encode_ack(body, (uint32_t)r->recv);
        r->acked = r->recv;
        rc = sr_bench_rtmp_send(r, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_ACK, 0, body, SR_RTMP_CONTROL_U32_BYTES);
    }
    return rc;
}

/* ==== complete messages ==== */

static void sr_bench_rtmp_on_command(sr_bench_rtmp_t *r, const uint8_t *data, size_t size)
{
    sr_rtmp_command_t cmd;
    if (sr_rtmp_command_parse(data, size, false, &cmd) != SR_OK) {
        r->fail = sr_err_wrap(-SR_ERTMP_COMMAND, "server command");
        return;
    }
    if (strcmp(cmd.name, SR_RTMP_CMD_RESULT) == 0 && cmd.transaction_id == 1) {
        r->next_step = 2;
    } else if (strcmp(cmd.name, SR_RTMP_CMD_RESULT) == 0 && cmd.transaction_id == 2) {
        r->stream_id = (uint32_t)sr_rtmp_command_arg_number(&cmd, 0, 1);
        r->next_step = 3;
    } else if (strcmp(cmd.name, SR_RTMP_CMD_ERROR) == 0) {
        r->fail = sr_err_new(SR_ERTMP_COMMAND, "server answered _error to transaction %.0f", cmd.transaction_id);
    } else if (strcmp(cmd.name, SR_RTMP_CMD_ON_STATUS) == 0 && cmd.nargs > 0) {
        sr_amf0_t *level = sr_amf0_object_get(cmd.args[0], "level");
        sr_amf0_t *code = sr_amf0_object_get(cmd.args[0], "code");
        const char *lv = level ? sr_amf0_string(level, NULL) : NULL;
        if (lv && strcmp(lv, SR_RTMP_LEVEL_ERROR) == 0) {
            const char *cs = code ? sr_amf0_string(code, NULL) : NULL;
            r->fail = sr_err_new(SR_ERTMP_CLOSE, "onStatus %s", cs ? cs : "error");
        }
    }
    sr_rtmp_command_deinit(&cmd);
}

static void sr_bench_rtmp_on_control(sr_bench_rtmp_t *r, sr_bench_cs_t *cs)
{
    uint32_t v = 0;
    sr_rtmp_user_control_t uc;
    if (cs->type == SR_RTMP_MSG_USER_CONTROL) {
        if (sr_rtmp_control_parse_user_control(cs->head, cs->got, &uc) == SR_OK &&
            uc.event == SR_RTMP_UC_PING_REQUEST) {
            r->has_pong = true;
            r->pong_ts = uc.data;
        }
        return;
    }
    if (sr_rtmp_control_parse_u32(cs->head, cs->got, &v) != SR_OK) {
        return;
    }
    if (cs->type == SR_RTMP_MSG_SET_CHUNK_SIZE) {
        v &= 0x7fffffff;
        if (v == 0 || v > SR_RTMP_MAX_CHUNK_SIZE) {
            r->fail = sr_err_new(SR_ERTMP_CHUNK, "set chunk size %u", v);
            return;
        }
        r->in_chunk = v;
    } else if (cs->type == SR_RTMP_MSG_WINDOW_ACK_SIZE) {
        r->window = v;
    }
}

static void sr_bench_rtmp_on_message(sr_bench_rtmp_t *r, sr_bench_cs_t *cs)
{
    switch (cs->type) {
    case SR_RTMP_MSG_AUDIO:
    case SR_RTMP_MSG_VIDEO:
        sr_bench_stats_media(r->conn, cs->type, cs->ts, cs->head, cs->got);
        break;
    case SR_RTMP_MSG_AMF0_COMMAND:
        if (cs->cmd != NULL) {
            sr_bench_rtmp_on_command(r, cs->cmd, cs->got);
        }
        break;
    case SR_RTMP_MSG_SET_CHUNK_SIZE:
    case SR_RTMP_MSG_WINDOW_ACK_SIZE:
    case SR_RTMP_MSG_USER_CONTROL:
        sr_bench_rtmp_on_control(r, cs);
        break;
    default:
        break;
    }
    sr_free(cs->cmd);
    cs->cmd = NULL;
}

/* ==== chunk parsing ==== */

static sr_bench_cs_t *sr_bench_rtmp_cs(sr_bench_rtmp_t *r, uint32_t csid, bool create)
{
    for (int i = 0; i < r->ncs; i++) {
        if (r->cs[i].csid == csid) {
            return &r->cs[i];
        }
    }
    if (!create || r->ncs == SR_BENCH_RTMP_MAX_CS) {
        return NULL;
    }
    sr_bench_cs_t *cs = &r->cs[r->ncs++];
    memset(cs, 0, sizeof(*cs));
    cs->csid = csid;
    return cs;
}

/* Total header bytes needed given the hdr_len bytes seen so far; 0 on a protocol error. */
static size_t sr_bench_rtmp_hdr_need(sr_bench_rtmp_t *r)
{
    static const uint8_t mh[4] = {11, 7, 3, 0};
    const uint8_t *h = r->hdr;
    if (r->hdr_len < 1) {
        return 1;
    }
    size_t basic = (h[0] & 0x3f) == 0 ? 2 : (h[0] & 0x3f) == 1 ? 3 : 1;
    if (r->hdr_len < basic) {
        return basic;
    }
    int fmt = h[0] >> 6;
    size_t need = basic + mh[fmt];
    if (r->hdr_len < need) {
        return need;
    }
    bool ext;
    if (fmt < 3) {
        ext = sr_get_be24(h + basic) == SR_RTMP_EXTENDED_TIMESTAMP;
    } else {
        uint32_t csid = (h[0] & 0x3f) == 0 ? 64u + h[1] : (h[0] & 0x3f) == 1 ? 64u + h[1] + 256u * h[2] : h[0] & 0x3fu;
        sr_bench_cs_t *cs = sr_bench_rtmp_cs(r, csid, false);
        if (cs == NULL) {
            return 0;
        }
        ext = cs->has_ext;
    }
    return need + (ext ? 4 : 0);
}

/* Apply a complete chunk header (RTMP 5.3.1.2) and start the chunk's body. */
static int sr_bench_rtmp_apply_hdr(sr_bench_rtmp_t *r)
{
    const uint8_t *h = r->hdr;
    size_t basic = (h[0] & 0x3f) == 0 ? 2 : (h[0] & 0x3f) == 1 ? 3 : 1;
    uint32_t csid = basic == 2 ? 64u + h[1] : basic == 3 ? 64u + h[1] + 256u * h[2] : h[0] & 0x3fu;
    int fmt = h[0] >> 6;
    sr_bench_cs_t *cs = sr_bench_rtmp_cs(r, csid, fmt == 0);
    if (cs == NULL) {
        return sr_err_new(SR_ERTMP_CHUNK, "chunk fmt %d on unknown csid %u", fmt, csid);
    }
    const uint8_t *m = h + basic;
    uint32_t t = fmt < 3 ? sr_get_be24(m) : 0;
    if (fmt < 3) {
        cs->has_ext = t == SR_RTMP_EXTENDED_TIMESTAMP;
        if (cs->has_ext) {
            t = sr_get_be32(h + basic + (fmt == 0 ? 11 : fmt == 1 ? 7 : 3));
        }
    }
    if (fmt <= 1) {
        cs->len = sr_get_be24(m + 3);
        cs->type = m[6];
    }
    if (fmt == 0) {
        cs->sid = sr_get_le32(m + 7);
        cs->ts = t;
        cs->delta = 0;
    } else if (fmt < 3) {
        cs->delta = t;
    }
    if (fmt > 0 && cs->left == 0) {
        cs->ts += cs->delta;
    }
    if (cs->left == 0 || fmt < 3) {
        sr_free(cs->cmd);
        cs->cmd = NULL;
        cs->left = cs->len;
        cs->got = 0;
        if (cs->type == SR_RTMP_MSG_AMF0_COMMAND && cs->len <= SR_BENCH_RTMP_CMD_MAX) {
            cs->cmd = sr_malloc(cs->len + 1);
        }
    }
    r->cur = cs;
    r->chunk_left = cs->left < r->in_chunk ? cs->left : r->in_chunk;
    r->in_body = true;
    r->hdr_len = 0;
    return SR_OK;
}

/* Consume body bytes of the current chunk; returns how many were used. */
static size_t sr_bench_rtmp_body(sr_bench_rtmp_t *r, const uint8_t *p, size_t n)
{
    sr_bench_cs_t *cs = r->cur;
    size_t k = n < r->chunk_left ? n : r->chunk_left;
    if (cs->cmd != NULL) {
        memcpy(cs->cmd + cs->got, p, k);
        cs->got = (uint16_t)(cs->got + k);
    } else if (cs->got < SR_BENCH_HEAD) {
        size_t c = SR_BENCH_HEAD - cs->got < k ? SR_BENCH_HEAD - cs->got : k;
        memcpy(cs->head + cs->got, p, c);
        cs->got = (uint16_t)(cs->got + c);
    }
    cs->left -= (uint32_t)k;
    r->chunk_left -= (uint32_t)k;
    if (cs->left == 0) {
        sr_bench_rtmp_on_message(r, cs);
    }
    if (r->chunk_left == 0) {
        r->in_body = false;
    }
    return k;
}

/* Parse n bytes of the chunk stream. Does not yield. */
static int sr_bench_rtmp_parse(sr_bench_rtmp_t *r, const uint8_t *p, size_t n)
{
    size_t pos = 0;
    while (pos < n || (r->in_body && r->chunk_left == 0)) {
        if (r->in_body) {
            pos += sr_bench_rtmp_body(r, p + pos, n - pos);
        } else {
            size_t need = sr_bench_rtmp_hdr_need(r);
            if (need == 0) {
                return sr_err_new(SR_ERTMP_CHUNK, "fmt 3 chunk on an unknown chunk stream");
            }
            if (r->hdr_len < need) {
                r->hdr[r->hdr_len++] = p[pos++];
                continue;
            }
            int rc = sr_bench_rtmp_apply_hdr(r);
            if (rc != SR_OK) {
                return rc;
            }
        }
        if (r->fail) {
            return r->fail;
        }
    }
    /* a header completed by the last byte of this read */
    if (!r->in_body && r->hdr_len > 0 && r->hdr_len == sr_bench_rtmp_hdr_need(r)) {
        return sr_bench_rtmp_apply_hdr(r);
    }
    return r->fail;
}

/* ==== the connection ==== */

static int sr_bench_rtmp_loop(sr_bench_rtmp_t *r)
{
    int rc;
    size_t n;
    while ((rc = sr_co_pull()) == SR_OK) {
        if ((rc = sr_io_read(sr_sock_io(r->sock), sr_bench_scratch, sizeof(sr_bench_scratch), &n)) != SR_OK) {
            return rc;
        }
        r->recv += n;
        r->conn->bytes += n;
        /* scratch is shared: parse everything before anything that may yield */
        if ((rc = sr_bench_rtmp_parse(r, sr_bench_scratch, n)) != SR_OK) {
            return rc;
        }
        if ((rc = sr_bench_rtmp_send_pending(r)) != SR_OK) {
            return rc;
        }
    }
    return rc;
}

void sr_bench_rtmp_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_rtmp_t *r = SR_NEW(sr_bench_rtmp_t);
    int rc;
    r->conn = c;
    r->in_chunk = SR_RTMP_DEFAULT_CHUNK_SIZE;
    if ((rc = sr_bench_connect(c->opts, &r->sock)) == SR_OK &&
        (rc = sr_rtmp_handshake_client(sr_sock_io(r->sock), !c->opts->is_simple)) == SR_OK &&
        (rc = sr_bench_rtmp_send_connect(r)) == SR_OK) {
        rc = sr_bench_rtmp_loop(r);
    }
    sr_bench_conn_end(c, rc);
    for (int i = 0; i < r->ncs; i++) {
        sr_free(r->cs[i].cmd);
    }
    sr_sock_close(r->sock);
    sr_free(r);
}
