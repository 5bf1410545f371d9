# Every third-party dependency, found once. All come from Debian 12 packages
# (scripts/install-deps installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS json url)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)  # tests: inflating Wycheproof chunked-encryption vectors
find_package(GTest REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(tomlplusplus REQUIRED)
if(BACKLINE_BENCH)
  find_package(benchmark REQUIRED)
endif()
