// SPDX-License-Identifier: MIT
// sr_utest_asset.h: reading a captured file of trunk/utest/assets (see the README
// there) into memory, for the tests of parsers that take real files.
#ifndef SR_UTEST_ASSET_H
#define SR_UTEST_ASSET_H

#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

// The bytes of assets/NAME: from $SR_UTEST_ASSETS, else next to the test sources (the
// tests run from the repository root). Empty, with a failed expectation, when missing.
inline std::vector<uint8_t> ReadAsset(const char *name)
{
    const char *dir = getenv("SR_UTEST_ASSETS");
    std::string path;
    if (dir) {
        path = std::string(dir) + "/" + name;
    } else {
        std::string here = __FILE__;
        path = here.substr(0, here.rfind('/') + 1) + "assets/" + name;
    }
    std::vector<uint8_t> data;
    FILE *f = fopen(path.c_str(), "rb");
    EXPECT_TRUE(f != NULL) << path;
    if (!f) {
        return data;
    }
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        data.insert(data.end(), buf, buf + n);
    }
    fclose(f);
    return data;
}

#endif
