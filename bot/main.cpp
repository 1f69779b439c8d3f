#include "bot/cli.hpp"

int main(int argc, char** argv) { return contexten::bot::RunCli(argc, argv); }
