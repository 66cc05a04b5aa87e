/* SPDX-License-Identifier: MIT */
/*
 * sr_av_log.h: where libav's log messages go. libav logs through one process-wide
 * callback, from whatever thread made the call (often a worker of sr_work.h, which
 * must not write to the server's log). The callback installed here keeps the last
 * warning or error of a codec context whose opaque points to an sr_av_log_sink_t, so
 * the transcoder that owns it can put the text into its own error; every other
 * message is discarded.
 *
 * Used by the audio and video transcoders. Not for: logging of our own.
 */
#ifndef SR_AV_LOG_H
#define SR_AV_LOG_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_AV_LOG_MAGIC 0x7372616cu /* "sral": marks an opaque that is a sink */

/* The first member of a transcoder whose codec contexts have it as their opaque. */
typedef struct sr_av_log_sink {
    uint32_t magic; /* SR_AV_LOG_MAGIC while the owner lives */
    char msg[128];  /* libav's last message, trailing newline cut ("" if none) */
} sr_av_log_sink_t;

/* Install the callback (once per process; any thread). */
void sr_av_log_install(void);
/* Write "what: libav's text for averr (0: none) (sink's last message)" into
 * error[0..cap), what cut to 48 characters. */
void sr_av_log_describe(const sr_av_log_sink_t *sink, const char *what, int averr, char *error, size_t cap);

SR_END_DECLS

#endif
