// Linked into osprey's executables that run on mimalloc (not into the
// library: a .preinit_array entry only runs from the executable itself).
//
// mimalloc decides its OS page size once, in its own constructor, from
// MIMALLOC_LARGE_OS_PAGES; asking later changes nothing. Functions in the
// executable's .preinit_array run before any shared library's constructor,
// so this one sets the option first, unless the environment already says
// something (MIMALLOC_LARGE_OS_PAGES=0 turns huge pages off). Setting an
// option touches only mimalloc's static table: nothing is allocated here.

#include <cstring>

#include <mimalloc.h>

namespace {

void ask_mimalloc_for_huge_pages(int, char**, char** envp) {
  // The environment as the loader passes it: the C library's `environ` may
  // not be set up this early.
  constexpr char name[] = "MIMALLOC_LARGE_OS_PAGES=";
  for (char** e = envp; e && *e; ++e)
    if (std::strncmp(*e, name, sizeof name - 1) == 0)
      return;
  mi_option_set_enabled(mi_option_large_os_pages, true);
}

__attribute__((section(".preinit_array"), used)) void (*const preinit)(int, char**, char**) =
  &ask_mimalloc_for_huge_pages;

} // namespace
