// The tuna command. All logic lives in the library (src/cli/); this only hands argv over.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return tuna::cli::main(argc, argv); }
