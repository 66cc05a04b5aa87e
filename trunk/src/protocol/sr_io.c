/* SPDX-License-Identifier: MIT */
#include "sr_io.h"

#include <string.h>

#include "sr_error.h"

int sr_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    int rc = io->ops->read(io, buf, size, nread);
    if (rc == SR_OK) {
        io->recv_bytes += *nread;
    }
    return rc;
}

int sr_io_read_fully(sr_io_t *io, void *buf, size_t size)
{
    uint8_t *p = buf;
    while (size > 0) {
        size_t n = 0;
        int rc = sr_io_read(io, p, size, &n);
        if (rc != SR_OK) {
            return rc;
        }
        p += n;
        size -= n;
    }
    return SR_OK;
}

int sr_io_write(sr_io_t *io, const void *buf, size_t size)
{
    struct iovec iov = {(void *)buf, size};
    return sr_io_writev(io, &iov, 1);
}

int sr_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    int rc = io->ops->writev(io, iov, iovcnt);
    if (rc == SR_OK) {
        for (int i = 0; i < iovcnt; i++) {
            io->send_bytes += iov[i].iov_len;
        }
    }
    return rc;
}

static int sr_mem_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    sr_mem_io_t *m = io->impl;
    size_t left = m->in_size - m->in_pos;
    if (left == 0) {
        return sr_err_new(SR_EPEER_CLOSED, "end of input after %zu bytes", m->in_size);
    }
    size_t n = SR_MIN(size, left);
    if (m->max_read) {
        n = SR_MIN(n, m->max_read);
    }
    memcpy(buf, m->in + m->in_pos, n);
    m->in_pos += n;
    *nread = n;
    return SR_OK;
}

static int sr_mem_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    sr_mem_io_t *m = io->impl;
    for (int i = 0; i < iovcnt; i++) {
        sr_buf_put_bytes(&m->out, iov[i].iov_base, iov[i].iov_len);
    }
    return SR_OK;
}

static const sr_io_ops_t sr_mem_io_ops = {sr_mem_io_read, sr_mem_io_writev};

void sr_mem_io_init(sr_mem_io_t *m, const void *in, size_t in_size, size_t max_read)
{
    memset(m, 0, sizeof(*m));
    m->io.ops = &sr_mem_io_ops;
    m->io.impl = m;
    m->in = in;
    m->in_size = in_size;
    m->max_read = max_read;
    sr_buf_init(&m->out);
}

void sr_mem_io_deinit(sr_mem_io_t *m)
{
    sr_buf_deinit(&m->out);
}
