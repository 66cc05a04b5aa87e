/* SPDX-License-Identifier: MIT */
/*
 * sr_stun.h: the STUN messages an ICE-lite WebRTC server reads and writes (RFC 8489,
 * formerly RFC 5389), with the ICE attributes of RFC 8445 7.1.1 and the packet demux
 * of RFC 7983. Pure bytes on caller storage: no I/O, no allocation, no logging, no
 * error trail. Short-term credentials only (MESSAGE-INTEGRITY keyed with the ICE
 * password, RFC 8489 9.1); no long-term credentials, no MESSAGE-INTEGRITY-SHA256, no
 * TURN.
 *
 * An ICE-lite server answers a connectivity check like this:
 *   if (sr_stun_is_stun(p, n) && sr_stun_parse(p, n, &m) == SR_OK
 *       && m.type == SR_STUN_BINDING_REQUEST
 *       && sr_stun_username_split(&m, &local_len, &remote)   (find the session by the
 *       && sr_stun_verify(p, n, session_ice_pwd) == SR_OK)    local ufrag, then check)
 *       sr_stun_write_binding_success(out, sizeof(out), &len, m.txid, peer, session_ice_pwd);
 */
#ifndef SR_STUN_H
#define SR_STUN_H

#include <sys/socket.h>

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_STUN_HEADER_BYTES 20
#define SR_STUN_MAGIC_COOKIE 0x2112A442u
#define SR_STUN_TXID_BYTES 12
/* USERNAME is "RFRAG:LFRAG", two ICE ufrags of up to 256 characters (RFC 8839 5.4). */
#define SR_STUN_USERNAME_MAX 513
/* Unknown comprehension-required attribute types kept for a 420 response. */
#define SR_STUN_MAX_UNKNOWN 4
/* What sr_stun_write_binding_request needs at most (USERNAME of SR_STUN_USERNAME_MAX):
 * a buffer of this size never gets -SR_EOVERFLOW. */
#define SR_STUN_WRITE_MAX_BYTES 640

/* Message types (method Binding, RFC 8489 5 and 18.2). */
enum {
    SR_STUN_BINDING_REQUEST = 0x0001,
    SR_STUN_BINDING_INDICATION = 0x0011,
    SR_STUN_BINDING_SUCCESS = 0x0101,
    SR_STUN_BINDING_ERROR = 0x0111,
};

/* What a STUN message says, as far as ICE cares. Plain value, filled by sr_stun_parse;
 * it points into nothing, so the packet may be reused at once. */
typedef struct sr_stun_msg {
    uint16_t type; /* SR_STUN_BINDING_* or any other method/class */
    uint8_t txid[SR_STUN_TXID_BYTES];
    char username[SR_STUN_USERNAME_MAX + 1]; /* USERNAME, NUL-terminated, "" if absent */
    uint32_t priority;                       /* PRIORITY, 0 if absent */
    bool use_candidate;                      /* USE-CANDIDATE */
    bool ice_controlling;                    /* ICE-CONTROLLING; tie_breaker is its value */
    bool ice_controlled;                     /* ICE-CONTROLLED; tie_breaker is its value */
    uint64_t tie_breaker;                    /* of the first of the two roles present */
    bool has_integrity;                      /* MESSAGE-INTEGRITY present (not checked here) */
    bool has_fingerprint;                    /* FINGERPRINT present (not checked here) */
    uint16_t error_code;                     /* ERROR-CODE as class * 100 + number, 0 if absent */
    bool has_mapped;                         /* XOR-MAPPED-ADDRESS present, decoded in mapped */
    struct sockaddr_storage mapped;          /* AF_INET or AF_INET6 with the port, network order */
    uint8_t nb_unknown;                      /* unknown comprehension-required attributes */
    uint16_t unknown[SR_STUN_MAX_UNKNOWN];   /* their types, the first SR_STUN_MAX_UNKNOWN */
    size_t _integrity_at;                    /* offset of the MESSAGE-INTEGRITY attribute */
    size_t _fingerprint_at;                  /* offset of the FINGERPRINT attribute */
} sr_stun_msg_t;

/* What sr_stun_write_binding_request puts in a connectivity check (RFC 8445 7.2.2). */
typedef struct sr_stun_request {
    uint8_t txid[SR_STUN_TXID_BYTES]; /* random, from the caller (RAND_bytes) */
    const char *username;             /* "RFRAG:LFRAG", borrowed; NULL or "" for none */
    uint32_t priority;                /* PRIORITY; 0 leaves it out */
    bool ice_controlling;             /* ICE-CONTROLLING, else ICE-CONTROLLED */
    uint64_t tie_breaker;
    bool use_candidate; /* USE-CANDIDATE (controlling agent, nomination) */
} sr_stun_request_t;

/* RFC 7983 demultiplexing of one UDP datagram by its first byte. */
typedef enum sr_stun_demux {
    SR_STUN_DEMUX_OTHER = 0, /* empty, ZRTP, TURN channel or unassigned */
    SR_STUN_DEMUX_STUN,      /* 0..3 */
    SR_STUN_DEMUX_DTLS,      /* 20..63 */
    SR_STUN_DEMUX_RTP,       /* 128..191: RTP or RTCP (RFC 5761 4 tells them apart) */
} sr_stun_demux_t;

/* Which protocol the datagram data[0..size) belongs to (RFC 7983 7). */
sr_stun_demux_t sr_stun_demux(const uint8_t *data, size_t size);

/* True when data[0..size) can be a STUN message: at least a header, first byte 0..3
 * (RFC 7983) and the magic cookie (RFC 8489 5). Cheap; sr_stun_parse checks the rest. */
bool sr_stun_is_stun(const uint8_t *data, size_t size);

/* Parse one STUN message, the whole datagram data[0..size) (only read during the call),
 * into *out. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored
 * (RFC 8489 14.5); of a repeated attribute only the first counts. MESSAGE-INTEGRITY
 * and FINGERPRINT are found, not checked: sr_stun_verify checks them. Errors:
 * -SR_ETRUNCATED when size is shorter than the header or than the message length says;
 * -SR_EFORMAT for a first byte above 3, a wrong cookie, a length that is not a multiple
 * of 4, bytes after the message, an attribute running past the end, an attribute after
 * FINGERPRINT, or a known attribute of the wrong size or content (USERNAME over
 * SR_STUN_USERNAME_MAX bytes or holding a NUL, ERROR-CODE outside 300..699, an address
 * family other than IPv4/IPv6). *out is unspecified on error. */
int sr_stun_parse(const uint8_t *data, size_t size, sr_stun_msg_t *out);

/* Check a received message data[0..size): its FINGERPRINT if it has one, then its
 * MESSAGE-INTEGRITY keyed with pwd, the ICE password of the agent that receives it
 * (for a request to us: our local ice-pwd). Errors: those of sr_stun_parse; -SR_EFORMAT
 * when the FINGERPRINT is wrong (RFC 7983: then it is not STUN); -SR_ENOT_FOUND when
 * there is no MESSAGE-INTEGRITY (RFC 8489 9.1.3: answer 400); -SR_EINVAL when it does
 * not match pwd, or pwd is NULL or empty (answer 401). Only read during the call. */
int sr_stun_verify(const uint8_t *data, size_t size, const char *pwd);

/* Split a request's USERNAME "RFRAG:LFRAG" at the first colon (RFC 8445 7.2.2: the
 * ufrag of the agent that receives the request comes first, then the sender's):
 * m->username[0..*receiver_len) is the receiver's (ours), *sender points to the
 * sender's, NUL-terminated inside m->username. False when there is no USERNAME, no
 * colon, or either side is empty. */
bool sr_stun_username_split(const sr_stun_msg_t *m, size_t *receiver_len, const char **sender);

/* Write a Binding success response to transaction txid into out[0..cap) and set
 * *written: XOR-MAPPED-ADDRESS of mapped (the address the request came from: AF_INET
 * or AF_INET6; an IPv4-mapped IPv6 address is written as IPv4), MESSAGE-INTEGRITY keyed
 * with pwd (the key that checked the request; NULL leaves it out), FINGERPRINT. 80
 * bytes at most. -SR_EINVAL for another address family or an empty pwd; -SR_EOVERFLOW
 * when cap is too small (out then unspecified). */
int sr_stun_write_binding_success(uint8_t *out, size_t cap, size_t *written, const uint8_t txid[SR_STUN_TXID_BYTES],
                                  const struct sockaddr *mapped, const char *pwd);

/* Write a Binding request into out[0..cap) and set *written: USERNAME, PRIORITY,
 * ICE-CONTROLLING or ICE-CONTROLLED with the tie breaker, USE-CANDIDATE if asked,
 * MESSAGE-INTEGRITY keyed with pwd (the peer's ICE password; NULL leaves it out) and
 * FINGERPRINT. -SR_EINVAL for a username over SR_STUN_USERNAME_MAX bytes or an empty
 * pwd; -SR_EOVERFLOW when cap is too small (SR_STUN_WRITE_MAX_BYTES always does). */
int sr_stun_write_binding_request(uint8_t *out, size_t cap, size_t *written, const sr_stun_request_t *req,
                                  const char *pwd);

/* Write a Binding error response to the request req into out[0..cap) and set
 * *written: ERROR-CODE code (RFC 8489 14.8 / RFC 8445 7.3.1.1: 400 Bad Request, 401
 * Unauthenticated, 420 Unknown Attribute, 487 Role Conflict, 500 Server Error; any
 * 300..699 with a generic reason), for 420 an UNKNOWN-ATTRIBUTES with req->unknown,
 * MESSAGE-INTEGRITY keyed with pwd (NULL leaves it out: a 400 or 401 cannot be
 * authenticated), FINGERPRINT. 128 bytes at most. -SR_EINVAL for a code outside
 * 300..699 or an empty pwd; -SR_EOVERFLOW when cap is too small. */
int sr_stun_write_binding_error(uint8_t *out, size_t cap, size_t *written, const sr_stun_msg_t *req, uint16_t code,
                                const char *pwd);

SR_END_DECLS

#endif
