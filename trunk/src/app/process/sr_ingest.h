/* SPDX-License-Identifier: MIT */
/*
 * sr_ingest.h: vhost ingest ID { } as ffmpeg children that run for as long as the
 * server does: each engine reads the input (a file, looped forever, or a stream URL)
 * and publishes to its output, normally this server, where it is a live stream like
 * any other. A disabled engine copies the codecs.
 *
 * Pure: builds specs for sr_supervisor, runs nothing.
 */
#ifndef SR_INGEST_H
#define SR_INGEST_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_process.h"
#include "sr_supervisor.h"

SR_BEGIN_DECLS

/* The command line of engine e of ingest g: ffmpeg [perfile] [-stream_loop -1 -re for
 * a file] [-f IFORMAT when set] -i URL [codec args, or copy when e is disabled]
 * -f OFORMAT -y output. */
void sr_ingest_argv(const char *ffmpeg, const sr_ingest_config_t *g, const sr_ffmpeg_engine_config_t *e,
                    const char *output, sr_argv_t *out);

/* Append to out a spec (kind SR_CHILD_INGEST, no group) per engine of every enabled
 * ingest of every enabled vhost of cfg; the output template knows [vhost] [port]
 * [engine]. */
void sr_ingest_specs(const sr_server_config_t *cfg, sr_child_specs_t *out);

SR_END_DECLS

#endif
