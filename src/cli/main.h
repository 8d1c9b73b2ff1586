// The mimeo command line: `mimeo run`, `mimeo demo`, ...
#pragma once

namespace mimeo::cli {

int main(int argc, char** argv);

}  // namespace mimeo::cli
