#include "cli/main.h"

int main(int argc, char** argv) { return mimeo::cli::main(argc, argv); }
