/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_handshake.h: the RTMP handshake (C0/C1/C2 and S0/S1/S2), server and
 * client side, over an sr_io_t. Both the simple handshake of the RTMP spec (5.2) and
 * the complex "FP9" handshake with HMAC-SHA256 digests that Flash Player and most
 * encoders send are supported; encrypted RTMPE (C0 = 0x06/0x08) is not.
 *
 * This module only exchanges the three handshake packets. It does not set socket
 * timeouts (the io's business) and knows nothing about chunks or commands.
 */
#ifndef SR_RTMP_HANDSHAKE_H
#define SR_RTMP_HANDSHAKE_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_io sr_io_t;

#define SR_RTMP_HANDSHAKE_VERSION 3      /* C0/S0: plain RTMP */
#define SR_RTMP_HANDSHAKE_SIZE 1536      /* C1, C2, S1, S2 */
#define SR_RTMP_HANDSHAKE_SCHEMA_NONE -1 /* simple handshake */
#define SR_RTMP_HANDSHAKE_SCHEMA0 0      /* C1 = time, version, key block, digest block */
#define SR_RTMP_HANDSHAKE_SCHEMA1 1      /* C1 = time, version, digest block, key block */

/* What the server learned from the client's C0C1. A small value type. */
typedef struct sr_rtmp_handshake_info {
    bool is_complex;           /* C1 carried a valid Flash Player digest */
    int schema;                /* SR_RTMP_HANDSHAKE_SCHEMA0/1, or _SCHEMA_NONE when simple */
    uint32_t client_time;      /* C1 bytes 0..3, big-endian */
    uint8_t client_version[4]; /* C1 bytes 4..7, e.g. 9.0.124.2; zeros from a simple client */
} sr_rtmp_handshake_info_t;

/*
 * Run the server side: read C0 and C1, answer S0+S1+S2 in one writev, read C2.
 * A C1 whose digest validates (in schema 0 or 1) with the Flash Player key gets a
 * complex reply in the same schema; any other C1 gets the simple reply (S2 echoes C1).
 * C2 is read and ignored: many clients send a C2 that does not match S1.
 * io is borrowed; info (caller storage, not NULL) is filled once C1 has been read,
 * and zeroed with schema NONE before.
 * Returns SR_OK; -SR_ERTMP_HANDSHAKE for a C0 version other than 3; -SR_EUNSUPPORTED
 * for encrypted RTMPE (C0 0x06 or 0x08); the io's errors (-SR_EPEER_CLOSED when the
 * peer closes or sends less than a full packet, -SR_ETIMEOUT, -SR_EINTERRUPTED,
 * -SR_ESOCKET_READ/WRITE); -SR_EINTERNAL if the system random source fails.
 * May yield.
 */
int sr_rtmp_handshake_server(sr_io_t *io, sr_rtmp_handshake_info_t *info);

/*
 * Run the client side: send C0+C1, read S0+S1+S2, send C2.
 * complex: C1 carries a schema-1 digest keyed with the Flash Player key; S1 must then
 * carry a digest keyed with the Flash Media Server key in either schema, and C2 is
 * signed with S1's digest. A server that answers with a zero S1 version (it only
 * speaks the simple handshake) is accepted and C2 echoes S1. S2 is not checked.
 * !complex: C1 has a zero version field and C2 echoes S1.
 * io is borrowed.
 * Returns SR_OK; -SR_ERTMP_HANDSHAKE for an S0 version other than 3 or an S1 digest
 * that does not validate; the io's errors as for the server; -SR_EINTERNAL if the
 * system random source fails.
 * May yield.
 */
int sr_rtmp_handshake_client(sr_io_t *io, bool complex);

SR_END_DECLS

#endif
