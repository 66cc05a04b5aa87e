/* SPDX-License-Identifier: MIT */
/*
 * sr_error.h: error codes and the per-coroutine error trail.
 *
 * A failing function returns a negative code (-SR_E<NAME>). sr_err_new() starts a
 * fresh trail in the current context and sr_err_wrap() appends a "func:line msg"
 * frame, so the one log line written where the error is finally handled says what
 * failed and through which calls. The trail is a fixed buffer: nothing to free.
 */
#ifndef SR_ERROR_H
#define SR_ERROR_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* code, name, text. Ranges: 1xxx system, 2xxx rtmp, 3xxx app, 4xxx http, 5xxx rtc, 6xxx srt. */
#define SR_ERRNO_MAP(X)                                                                                                \
    X(1000, EINTERNAL, "internal error")                                                                               \
    X(1001, EINVAL, "invalid argument")                                                                                \
    X(1002, ENOMEM, "out of memory")                                                                                   \
    X(1003, ESYSTEM, "system call failed")                                                                             \
    X(1004, EINTERRUPTED, "interrupted")                                                                               \
    X(1005, ETIMEOUT, "timed out")                                                                                     \
    X(1006, EPEER_CLOSED, "peer closed the connection")                                                                \
    X(1007, ESOCKET_READ, "socket read failed")                                                                        \
    X(1008, ESOCKET_WRITE, "socket write failed")                                                                      \
    X(1009, ESOCKET_LISTEN, "socket listen failed")                                                                    \
    X(1010, ESOCKET_CONNECT, "socket connect failed")                                                                  \
    X(1011, EFILE_OPEN, "file open failed")                                                                            \
    X(1012, EFILE_READ, "file read failed")                                                                            \
    X(1013, EFILE_WRITE, "file write failed")                                                                          \
    X(1014, ETRUNCATED, "data truncated")                                                                              \
    X(1015, EOVERFLOW, "buffer overflow")                                                                              \
    X(1016, ECONFIG, "config invalid")                                                                                 \
    X(1017, ECONFIG_SYNTAX, "config syntax error")                                                                     \
    X(1018, EEVENTSYS, "event system unsupported")                                                                     \
    X(1019, ENOT_FOUND, "not found")                                                                                   \
    X(1020, EFORMAT, "malformed data")                                                                                 \
    X(1021, EUNSUPPORTED, "unsupported")                                                                               \
    X(1022, EALREADY_RUNNING, "another instance is running")                                                           \
    X(1023, EREDIS, "redis command failed")                                                                            \
    X(1024, ETLS, "tls failed")                                                                                        \
    X(2000, ERTMP_HANDSHAKE, "rtmp handshake failed")                                                                  \
    X(2001, ERTMP_CHUNK, "rtmp chunk stream invalid")                                                                  \
    X(2002, ERTMP_AMF0, "rtmp amf0 invalid")                                                                           \
    X(2003, ERTMP_COMMAND, "rtmp command invalid")                                                                     \
    X(2004, ERTMP_MESSAGE, "rtmp message invalid")                                                                     \
    X(2005, ERTMP_CLOSE, "rtmp stream closed by peer")                                                                 \
    X(3000, EVHOST_NOT_FOUND, "vhost not found")                                                                       \
    X(3001, EVHOST_DISABLED, "vhost disabled")                                                                         \
    X(3002, ESTREAM_BUSY, "stream busy")                                                                               \
    X(3003, ETOO_MANY_CONNECTIONS, "too many connections")                                                             \
    X(3004, EPUBLISH_TIMEOUT, "publisher idle")                                                                        \
    X(3005, ESOURCE_GONE, "source gone")                                                                               \
    X(3006, EKICKED, "kicked")                                                                                         \
    X(3007, ENAME_TOO_LONG, "name too long")                                                                           \
    X(3008, EFORWARD_LOOP, "forward loop")                                                                             \
    X(3010, ESECURITY_DENIED, "denied by security or refer")                                                           \
    X(4000, EHTTP_PARSE, "http parse error")                                                                           \
    X(4001, EHTTP_HEADERS_TOO_LARGE, "http headers too large")                                                         \
    X(4002, EHTTP_BODY_TOO_LARGE, "http body too large")                                                               \
    X(4003, EHTTP_CLIENT, "http request failed")                                                                       \
    X(4004, EHTTP_DENIED, "denied by http hook")                                                                       \
    X(4005, EJSON, "json invalid")                                                                                     \
    X(5100, EDTLS, "dtls failed")                                                                                      \
    X(5101, EDTLS_FINGERPRINT, "dtls peer certificate does not match its fingerprint")                                 \
    X(5200, ESRTP, "srtp failed")                                                                                      \
    X(5201, ESRTP_AUTH, "srtp authentication failed")                                                                  \
    X(5202, ESRTP_REPLAY, "srtp replayed packet")                                                                      \
    X(6000, ESRT, "srt call failed")                                                                                   \
    X(6001, ESRT_CONNECT, "srt connect failed")

enum {
#define SR_ERRNO_ENUM(code, name, text) SR_##name = code,
    SR_ERRNO_MAP(SR_ERRNO_ENUM)
#undef SR_ERRNO_ENUM
};

/* Start a fresh trail with "func:line fmt" and return -code. */
#define sr_err_new(code, ...) sr_err__new(code, __func__, __LINE__, __VA_ARGS__)
/* Append a "func:line fmt" frame to the trail and return rc unchanged. */
#define sr_err_wrap(rc, ...) sr_err__wrap(rc, __func__, __LINE__, __VA_ARGS__)

int sr_err__new(int code, const char *func, int line, const char *fmt, ...) SR_PRINTF(4, 5);
int sr_err__wrap(int rc, const char *func, int line, const char *fmt, ...) SR_PRINTF(4, 5);

/* The current context's trail ("" if none). Owned by the context; valid until the next sr_err_new. */
const char *sr_err_trail(void);
/* Clear the current trail, e.g. after an error was swallowed and logged. */
void sr_err_clear(void);
/* "ETIMEOUT" for -SR_ETIMEOUT or SR_ETIMEOUT; "E?" for unknown codes. */
const char *sr_err_name(int rc);
/* Human text of a code. */
const char *sr_err_text(int rc);

static inline bool sr_err_is_timeout(int rc)
{
    return rc == -SR_ETIMEOUT;
}

static inline bool sr_err_is_peer_close(int rc)
{
    return rc == -SR_EPEER_CLOSED || rc == -SR_ERTMP_CLOSE;
}

static inline bool sr_err_is_interrupted(int rc)
{
    return rc == -SR_EINTERRUPTED;
}

SR_END_DECLS

#endif
