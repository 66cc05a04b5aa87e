// SPDX-License-Identifier: MIT
// sr_utest_request.h: an sr_request_t that cleans up after itself, for the unit tests
// that build requests. It is an sr_request_t (fields read as r.vhost, &r passes as
// sr_request_t *), initialised on construction and deinitialised on destruction; a
// copy is deep (sr_request_copy), so tests can return and reassign requests by value
// and LeakSanitizer still sees every string freed.
#ifndef SR_UTEST_REQUEST_H
#define SR_UTEST_REQUEST_H

#include "sr_request.h"

struct SrUtestRequest : sr_request_t {
    SrUtestRequest() : sr_request_t()
    {
        sr_request_init(this);
    }
    SrUtestRequest(const SrUtestRequest &o) : sr_request_t()
    {
        sr_request_init(this);
        sr_request_copy(this, &o);
    }
    SrUtestRequest &operator=(const SrUtestRequest &o)
    {
        sr_request_copy(this, &o);
        return *this;
    }
    ~SrUtestRequest()
    {
        sr_request_deinit(this);
    }
};

#endif
