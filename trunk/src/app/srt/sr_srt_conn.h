/* SPDX-License-Identifier: MIT */
/*
 * sr_srt_conn.h: SRT publishers and players (srt_server { }): the listener entry of the
 * server's table and one coroutine per connection. The stream id says what the caller
 * wants (sr_srt_streamid.h); a publisher's MPEG-TS becomes frames of a source like any
 * other (sr_ts_demux.h), a player gets the source as MPEG-TS (sr_ts.h), starting with
 * PAT/PMT and the cached GOP from its keyframe.
 */
#ifndef SR_SRT_CONN_H
#define SR_SRT_CONN_H

#include "sr_core.h"
#include "sr_listener.h"

SR_BEGIN_DECLS

/* The SRT listener: srt_server's listen address, when enabled. */
extern const sr_listen_proto_t sr_srt_listen_proto;

SR_END_DECLS

#endif
