#include "base/files.h"

#include <filesystem>

namespace backline {

Status EnsurePrivateDirectory(const std::string& dir, std::string_view setting) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  if (!fs::create_directories(dir, ec) || ec) {
    return Unavailable("cannot create " + std::string(setting) + " " + dir + ": " + ec.message());
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) {
    return Unavailable("cannot restrict " + std::string(setting) + " " + dir + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace backline
