/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_wire.h: RTMP's shared wire form of a source's audio and video (sr_wire_kind_t):
 * each message in chunks, with a fmt 1 header holding only the timestamp delta from the
 * previous message of its chunk stream. After its first message on a chunk stream, the
 * bytes a player needs for a live stream are then the same for every player, so they are
 * built once per source, laid end to end in shared blocks, and a batch of a player in
 * the steady state is one or two iovecs, as in the floor. A player checks every message
 * (sr_wire_t's base_seq and delta against what it sent last) and gives one whose header
 * would say anything else its own fmt 0 header. Metadata always takes its own header.
 */
#ifndef SR_RTMP_WIRE_H
#define SR_RTMP_WIRE_H

#include "sr_consumer.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* The key is the chunk size of the players that share the form. */
extern const sr_wire_kind_t sr_rtmp_wire_kind;

SR_END_DECLS

#endif
