// SPDX-License-Identifier: MIT
// fuzz_rtsp_head.c: libFuzzer harness for the RTSP Transport, Session and URL parsers
// (protocol/sr_rtsp_head.h), the input being each header value in turn. Invariants: the
// transport count is at most max (or -SR_EFORMAT); every parsed transport that the writer
// can express (unicast) is written and parses back to the same fields; a URL parses to
// NUL-terminated parts without a leading or trailing '/' on the path, no '?' in it, a
// track in -1..255, or to a URL error code; a session id is non-empty, fits and has no ';'.
#include <stdlib.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_rtsp_head.h"

#include "fuzz.h"

static void check_transport(const char *v, size_t size)
{
    sr_rtsp_transport_t t[SR_RTSP_TRANSPORT_MAX];
    int max = size > 0 ? (v[0] & 3) + 1 : SR_RTSP_TRANSPORT_MAX;
    int n = sr_rtsp_transport_parse(v, size, t, max);
    FUZZ_CHECK(n == -SR_EFORMAT || (n >= 0 && n <= max));
    sr_buf_t b;
    sr_buf_init(&b);
    for (int i = 0; i < n; i++) {
        sr_rtsp_transport_t want = t[i], back;
        if (want.is_multicast) {
            continue; /* written as unicast, the only mode we serve */
        }
        if (!want.has_ssrc) {
            want.ssrc = 0; /* an ssrc too long to keep may leave digits behind */
        }
        sr_buf_reset(&b);
        sr_rtsp_transport_write(&want, &b);
        FUZZ_CHECK(sr_rtsp_transport_parse((const char *)b.data, b.len, &back, 1) == 1);
        FUZZ_CHECK(back.is_tcp == want.is_tcp && back.is_record == want.is_record && !back.is_multicast);
        FUZZ_CHECK(back.has_interleaved == want.has_interleaved && back.has_client_port == want.has_client_port &&
                   back.has_server_port == want.has_server_port && back.has_ssrc == want.has_ssrc);
        FUZZ_CHECK(!want.has_interleaved || memcmp(back.interleaved, want.interleaved, 2) == 0);
        FUZZ_CHECK(!want.has_client_port || memcmp(back.client_port, want.client_port, 4) == 0);
        FUZZ_CHECK(!want.has_server_port || memcmp(back.server_port, want.server_port, 4) == 0);
        FUZZ_CHECK(back.ssrc == want.ssrc);
    }
    sr_buf_deinit(&b);
}

static void check_url(const char *v, size_t size)
{
    sr_rtsp_url_t u;
    int rc = sr_rtsp_url_parse(v, size, &u);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_EFORMAT || rc == -SR_ENAME_TOO_LONG);
        return;
    }
    size_t hn = strnlen(u.host, sizeof(u.host)), pn = strnlen(u.path, sizeof(u.path));
    FUZZ_CHECK(hn < sizeof(u.host) && pn < sizeof(u.path) && strnlen(u.query, sizeof(u.query)) < sizeof(u.query));
    FUZZ_CHECK(u.track >= -1 && u.track <= 255);
    if (memchr(v, '\0', size)) {
        return; /* a NUL in the input ends the C strings early */
    }
    FUZZ_CHECK(pn == 0 || (u.path[0] != '/' && u.path[pn - 1] != '/'));
    FUZZ_CHECK(strchr(u.path, '?') == NULL);
    FUZZ_CHECK(pn + strlen(u.query) <= size);
}

static void check_session(const char *v, size_t size)
{
    char id[32];
    size_t cap = size > 0 ? (size_t)(v[0] & 31) + 1 : sizeof(id);
    if (sr_rtsp_session_id(v, size, id, cap)) {
        size_t n = strnlen(id, cap);
        FUZZ_CHECK(n < cap && n <= size && memchr(id, ';', n) == NULL);
        if (!memchr(v, '\0', size)) { /* a NUL in the input ends the C string early */
            FUZZ_CHECK(n > 0 && id[0] != ' ' && id[0] != '\t' && id[n - 1] != ' ' && id[n - 1] != '\t');
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size ? size : 1); /* exact size, so ASan sees an overread */
    memcpy(v, data, size);
    check_transport(v, size);
    check_url(v, size);
    check_session(v, size);
    free(v);
    return 0;
}
