#include "runtime/heap.hpp"

#include <dlfcn.h>
#include <mimalloc.h> // the option's number only: mimalloc is found at run time

namespace osprey {

bool huge_pages_in_use() {
  // Looked up rather than linked: the runtime library also goes into
  // executables on glibc's allocator (sanitizer builds, the tests).
  using is_enabled = bool (*)(mi_option_t);
  auto* get = reinterpret_cast<is_enabled>(dlsym(RTLD_DEFAULT, "mi_option_is_enabled"));
  return get && get(mi_option_large_os_pages);
}

} // namespace osprey
