/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_handshake_internal.h: the pure parts of the complex RTMP handshake (digest
 * placement, HMAC-SHA256 signing and checking of 1536-byte C1/S1/C2/S2 blocks), shared
 * with the unit tests. Application code uses sr_rtmp_handshake.h only.
 *
 * Layout of a complex C1/S1 (the well-known "FP9" layout; offsets from byte 0 of C1,
 * i.e. after C0):
 *
 *     time[4] | version[4] | block A[764] | block B[764]
 *     schema 0: A = key block,    B = digest block
 *     schema 1: A = digest block, B = key block
 *
 *     digest block = offset[4] | pad[o] | digest[32] | pad[728 - o]
 *                    o = (sum of the 4 offset bytes) % 728
 *     key block    = pad[o] | key[128] | pad[632 - o] | offset[4]
 *                    o = (sum of the 4 offset bytes, the block's LAST 4) % 632
 *
 * So the digest sits at 12 + (c1[8]+..+c1[11]) % 728 in schema 1 and at
 * 776 + (c1[772]+..+c1[775]) % 728 in schema 0; the key at 772 + (c1[1532]+..+c1[1535])
 * % 632 in schema 1 and at 8 + (c1[768]+..+c1[771]) % 632 in schema 0. The offset
 * bytes never overlap the digest, so writing the digest does not move it.
 *
 * The digest is HMAC-SHA256 over the 1504 bytes of the block without the digest,
 * keyed with the first 30 bytes of the Flash Player key (C1) or the first 36 bytes
 * of the Flash Media Server key (S1). C2/S2 = random[1504] | digest[32], the digest
 * being HMAC-SHA256 over the 1504 bytes keyed with HMAC-SHA256(full key, peer's
 * C1/S1 digest): the full 68-byte FMS key for S2, the full 62-byte FP key for C2.
 */
#ifndef SR_RTMP_HANDSHAKE_INTERNAL_H
#define SR_RTMP_HANDSHAKE_INTERNAL_H

#include "sr_rtmp_handshake.h"

SR_BEGIN_DECLS

#define SR_RTMP_HANDSHAKE_DIGEST_SIZE 32
#define SR_RTMP_HANDSHAKE_SIGNED_SIZE (SR_RTMP_HANDSHAKE_SIZE - SR_RTMP_HANDSHAKE_DIGEST_SIZE) /* 1504 */
#define SR_RTMP_HANDSHAKE_FP_KEY_SIZE 62
#define SR_RTMP_HANDSHAKE_FP_KEY_PARTIAL 30 /* "Genuine Adobe Flash Player 001" */
#define SR_RTMP_HANDSHAKE_FMS_KEY_SIZE 68
#define SR_RTMP_HANDSHAKE_FMS_KEY_PARTIAL 36 /* "Genuine Adobe Flash Media Server 001" */

/* The text prefix followed by the same 32 constant bytes; the extra last byte is a NUL
 * that is not part of the key (the arrays are initialized from string literals). */
extern const uint8_t sr_rtmp_handshake__fp_key[SR_RTMP_HANDSHAKE_FP_KEY_SIZE + 1];
extern const uint8_t sr_rtmp_handshake__fms_key[SR_RTMP_HANDSHAKE_FMS_KEY_SIZE + 1];

/* Byte offset of the 32-byte digest in a 1536-byte block (borrowed) for schema 0 or 1. */
size_t sr_rtmp_handshake__digest_pos(const uint8_t *block, int schema);
/* Byte offset of the 128-byte key in a 1536-byte block (borrowed) for schema 0 or 1. */
size_t sr_rtmp_handshake__key_pos(const uint8_t *block, int schema);

/* out = HMAC-SHA256(key, data). All pointers borrowed. Aborts if OpenSSL cannot run SHA-256. */
void sr_rtmp_handshake__hmac(const uint8_t *key, size_t key_size, const uint8_t *data, size_t size,
                             uint8_t out[SR_RTMP_HANDSHAKE_DIGEST_SIZE]);

/* out = the digest a 1536-byte block should carry in schema with key (HMAC over the block minus its digest). */
void sr_rtmp_handshake__compute_digest(const uint8_t *block, int schema, const uint8_t *key, size_t key_size,
                                       uint8_t out[SR_RTMP_HANDSHAKE_DIGEST_SIZE]);
/* True if the block's digest for schema matches (constant-time compare). */
bool sr_rtmp_handshake__validate_digest(const uint8_t *block, int schema, const uint8_t *key, size_t key_size);
/* The schema (0 or 1) whose digest validates, or SR_RTMP_HANDSHAKE_SCHEMA_NONE. Schema 1 is tried first. */
int sr_rtmp_handshake__find_digest(const uint8_t *block, const uint8_t *key, size_t key_size);
/* Compute and write the block's digest for schema; the rest of the block must be final. */
void sr_rtmp_handshake__imprint_digest(uint8_t *block, int schema, const uint8_t *key, size_t key_size);
/*
 * Sign a C2/S2: block[0..1504) must hold its random bytes; writes block[1504..1536) =
 * HMAC(HMAC(full_key, peer_digest), block[0..1504)). peer_digest is the 32-byte digest
 * of the peer's C1/S1. All pointers borrowed.
 */
void sr_rtmp_handshake__sign_response(uint8_t *block, const uint8_t *peer_digest, const uint8_t *full_key,
                                      size_t full_key_size);

SR_END_DECLS

#endif
