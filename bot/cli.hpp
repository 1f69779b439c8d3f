#pragma once

namespace contexten::bot {

// `contexten run|sandbox|migrate|check-config`, `--version`, `--help`. Returns the exit code.
// Configuration and startup problems print one line naming the problem and return 2.
int RunCli(int argc, char** argv);

}  // namespace contexten::bot
