// SPDX-License-Identifier: MIT
// fuzz_srt_streamid.c: libFuzzer harness for the SRT stream id parser
// (protocol/sr_srt_streamid.h) on any bytes. Invariants: it returns SR_OK, -SR_EFORMAT
// or -SR_ENAME_TOO_LONG; on SR_OK every field is terminated inside its array, app and
// stream are not empty, the stream has no '/', no name holds ".." or a control
// character, the parameters are empty or start with '?', and parsing is deterministic.
#include <string.h>

#include "sr_error.h"
#include "sr_srt_streamid.h"

#include "fuzz.h"

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static bool clean(const char *s)
{
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return false;
        }
    }
    return strstr(s, "..") == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_srt_streamid_t a, b;
    int rc = sr_srt_streamid_parse((const char *)data, size, "live", &a);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_EFORMAT || rc == -SR_ENAME_TOO_LONG);
    if (rc != SR_OK) {
        return 0;
    }
    FUZZ_CHECK(TERMINATED(a.vhost) && TERMINATED(a.app) && TERMINATED(a.stream) && TERMINATED(a.param));
    FUZZ_CHECK(a.app[0] && a.stream[0] && !strchr(a.stream, '/'));
    FUZZ_CHECK(clean(a.vhost) && clean(a.app) && clean(a.stream));
    FUZZ_CHECK(a.param[0] == '\0' || a.param[0] == '?');
    FUZZ_CHECK(sr_srt_streamid_parse((const char *)data, size, "live", &b) == SR_OK);
    FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    return 0;
}
