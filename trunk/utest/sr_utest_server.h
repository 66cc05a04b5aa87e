// SPDX-License-Identifier: MIT
// sr_utest_server.h: a server (never started) on a config written to a temporary file,
// for the unit tests that need sr_server_t (hooks, sessions). s is NULL when the config
// did not load (the test then fails on its EXPECT).
#ifndef SR_UTEST_SERVER_H
#define SR_UTEST_SERVER_H

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "sr_config_server.h"
#include "sr_server.h"
#include "sr_utest.h"

struct SrUtestServer {
    std::string path;
    sr_server_t *s = nullptr;
    explicit SrUtestServer(const std::string &config_text)
    {
        char tmpl[] = "/tmp/strand-utest-XXXXXX";
        int fd = mkstemp(tmpl);
        close(fd);
        path = tmpl;
        std::ofstream(path) << config_text;
        sr_server_config_t *cfg = nullptr;
        EXPECT_SR_OK(sr_server_config_load(path.c_str(), &cfg));
        if (cfg) {
            s = sr_server_new(cfg);
        }
    }
    ~SrUtestServer()
    {
        sr_server_free(s);
        unlink(path.c_str());
    }
    SrUtestServer(const SrUtestServer &) = delete;
    SrUtestServer &operator=(const SrUtestServer &) = delete;
};

#endif
