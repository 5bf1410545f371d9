// The content store: product files by the SHA-256 of their bytes, shared
// read-only with the delivery nodes. The file for digest H (lowercase hex) is
//   <content_dir>/<H[0:2]>/<H>
//
//   BL_ASSIGN_OR_RETURN(ImportedContent c, ImportContent("/srv/album.flac", dir));
//   // c.sha256, c.size; ContentPath(dir, c.sha256) now exists
//
// Import copies while hashing into a temporary file in the target folder,
// fsyncs it and renames it into place, so a reader never sees a partial file;
// a file already present under its digest is kept (same bytes by definition).
//
// Thread-safety: functions; concurrent imports of the same file are safe
// (rename is atomic).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "crypto/hash.h"

namespace backline::clearinghouse {

struct ImportedContent {
  crypto::Sha256Digest sha256{};
  int64_t size = 0;
};

std::string ContentPath(const std::string& content_dir, const crypto::Sha256Digest& sha256);

// kNotFound: no such source; kUnavailable: other I/O errors (naming the path).
Result<ImportedContent> ImportContent(const std::string& source, const std::string& content_dir);

}  // namespace backline::clearinghouse
