#include "cli/main.h"

#include <cstdio>
#include <cstring>

namespace mimeo::cli {

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::puts("usage: mimeo run [QEMU-style options] | mimeo demo");
    return argc < 2 ? 2 : 0;
  }
  std::fprintf(stderr, "mimeo: unknown command '%s'\n", argv[1]);
  return 2;
}

}  // namespace mimeo::cli
