/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_sdp.c: attribute lookup in an SDP answer for strand_bench's WHEP player. The
 * server's own SDP parser (sr_sdp.c) is stricter and fuller than a load client needs:
 * the player takes the first ice-ufrag, ice-pwd, fingerprint and candidate (BUNDLE puts
 * every section on one transport).
 */
#include "sr_bench_sdp.h"

#include <string.h>

bool sr_bench_sdp_attr(const char *sdp, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = sdp; p != NULL && *p != '\0';) {
        if (p[0] == 'a' && p[1] == '=' && strncmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            size_t len = strcspn(v, "\r\n");
            if (len >= size) {
                return false;
            }
            memcpy(out, v, len);
            out[len] = '\0';
            return true;
        }
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
    return false;
}
