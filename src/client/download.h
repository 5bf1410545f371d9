// Downloading a purchase (docs/protocol.md section 5): sign the GET with the
// buyer's identity, decrypt the RFC 8188 stream while it arrives, verify it
// and only then give it its final name.
//
//   BL_ASSIGN_OR_RETURN(DownloadedFile f, DownloadProduct(transport, identity,
//       url, SystemClock::Instance(), {.output_dir = "."}));
//   std::cout << f.path << "\n";
//
// What is checked, in order: the URL is a download URL whose token names the
// same transaction (ReadDeliveryTokenUnverified: the buyer has no
// clearinghouse key, the delivery node checks the signature); the answer is
// 200 (else the node's error, e.g. PERMISSION_DENIED "download limit of 3
// reached"); every record authenticates (a flipped byte fails the stream:
// kUnauthenticated); the plaintext is never longer than the token's
// content_size (checked while receiving); at the end its size and SHA-256
// equal content_size and content_sha256 (else kDataLoss).
//
// Files: plaintext goes to a temporary file ".backline-download-XXXXXX" in
// output_dir (mode 0600 while incomplete), which is removed on any failure,
// so a failed download leaves nothing behind. On success it is synced and
// renamed (never replacing an existing file: "name (1)", "name (2)", ...)
// to a name from the response's Content-Disposition made safe (no path
// separators, no leading dot, a conservative character set), or else to the
// product id.
//
// Secrets: the one-time content key lives only inside the decoder, which is
// destroyed (its key material wiped) as soon as the stream ends, whatever
// the outcome.
//
// Thread-safety: a function; `progress` is used from the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "client/progress.h"
#include "client/transport.h"
#include "crypto/hash.h"
#include "protocol/identity.h"

namespace backline::client {

struct DownloadOptions {
  std::string output_dir = ".";  // must exist
  ProgressBar* progress = nullptr;  // borrowed; nullptr: no progress shown
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds stall_timeout{60'000};
};

struct DownloadedFile {
  std::string path;
  Id product_id;
  uint64_t size = 0;
  crypto::Sha256Digest sha256{};
};

Result<DownloadedFile> DownloadProduct(HttpTransport& transport, const protocol::Identity& buyer,
                                       std::string_view url, const Clock& clock,
                                       const DownloadOptions& options = {});

// The file name a Content-Disposition value proposes (filename="..." or
// filename=token), reduced to a safe base name; `fallback` when there is none
// or nothing safe is left.
std::string SafeFileName(std::string_view content_disposition, std::string_view fallback);

}  // namespace backline::client
