// Small filesystem helpers shared by the roles.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace backline {

// Creates `dir` (and its parents) if it does not exist, with permissions for
// the owner only: role folders hold private keys and databases. An existing
// directory is left as it is. `setting` names the setting in errors
// ("payment.data_dir").
Status EnsurePrivateDirectory(const std::string& dir, std::string_view setting);

}  // namespace backline
