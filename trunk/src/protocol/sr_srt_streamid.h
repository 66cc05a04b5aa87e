/* SPDX-License-Identifier: MIT */
/*
 * sr_srt_streamid.h: what an SRT caller asks for in its stream id (SRTO_STREAMID), in
 * the forms SRS accepts:
 *   #!::r=APP/STREAM,m=publish|request,h=VHOST,KEY=VALUE...  (SRT access control syntax)
 *   #!::h=APP/STREAM,m=publish                               (legacy: h names the stream)
 *   APP/STREAM, or STREAM (then the app is default_app)      (plain)
 * A resource may carry its own query ("r=live/s?secret=1"). Keys other than r, m, h
 * become parameters ("?KEY=VALUE&...", then the resource's own query), as RTMP's would,
 * for hooks. Without m= the caller plays. Pure text: no I/O, no allocation, no logging.
 */
#ifndef SR_SRT_STREAMID_H
#define SR_SRT_STREAMID_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_srt_streamid {
    char vhost[256]; /* "" when the id names none */
    char app[256];
    char stream[256];
    char param[1024]; /* "?k=v&k2=v2" or "" */
    bool is_publish;  /* m=publish; false for m=request or no m */
} sr_srt_streamid_t;

/* Parse the stream id text id[0..len) into *out; default_app fills in a missing app.
 * -SR_EFORMAT for an empty stream name, an unknown m= value, a key without '=', a name
 * with characters that cannot name a stream (control characters, "..", leading '/');
 * -SR_ENAME_TOO_LONG when a name or the parameters do not fit. */
int sr_srt_streamid_parse(const char *id, size_t len, const char *default_app, sr_srt_streamid_t *out);

SR_END_DECLS

#endif
