/* SPDX-License-Identifier: MIT */
/*
 * sr_io.h: the byte-stream interface protocol state machines read and write through.
 * A TCP socket on ST implements it in sr_st; tests use the in-memory one below, which
 * can hand out input in small pieces to exercise every split point.
 */
#ifndef SR_IO_H
#define SR_IO_H

#include <sys/uio.h>

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_io sr_io_t;

typedef struct sr_io_ops {
    /* Read 1..size bytes into buf, set *nread. 0 bytes means -SR_EPEER_CLOSED. May yield. */
    int (*read)(sr_io_t *io, void *buf, size_t size, size_t *nread);
    /* Write every byte of iov. May yield. */
    int (*writev)(sr_io_t *io, const struct iovec *iov, int iovcnt);
} sr_io_ops_t;

struct sr_io {
    const sr_io_ops_t *ops;
    void *impl;
    uint64_t recv_bytes;
    uint64_t send_bytes;
};

/* Read 1..size bytes. Returns SR_OK, -SR_EPEER_CLOSED, -SR_ETIMEOUT, -SR_EINTERRUPTED, -SR_ESOCKET_READ. May yield. */
int sr_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread);
/* Read exactly size bytes. Same errors as sr_io_read. May yield. */
int sr_io_read_fully(sr_io_t *io, void *buf, size_t size);
/* Write all of buf / iov. Returns SR_OK, -SR_ETIMEOUT, -SR_EINTERRUPTED, -SR_ESOCKET_WRITE. May yield. */
int sr_io_write(sr_io_t *io, const void *buf, size_t size);
int sr_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt);

/* ---- in-memory io (tests, and replaying captured bytes) ---- */
typedef struct sr_mem_io {
    sr_io_t io;
    const uint8_t *in; /* borrowed input */
    size_t in_size;
    size_t in_pos;
    size_t max_read; /* hand out at most this many bytes per read (0: unlimited) */
    sr_buf_t out;    /* everything written */
} sr_mem_io_t;

/* Init over borrowed input; reading past the end returns -SR_EPEER_CLOSED. */
void sr_mem_io_init(sr_mem_io_t *m, const void *in, size_t in_size, size_t max_read);
void sr_mem_io_deinit(sr_mem_io_t *m);

SR_END_DECLS

#endif
