#pragma once
// `contexten intents`: the intent parser on standard input, for people and for CI. No Slack
// connection, no store and no configuration: it only reads text (../shared/DESIGN.md §2).

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace contexten::bot {

struct IntentsToolOptions {
  std::string source = "mention";  // command | mention | dm | thread
  std::string thread_issue;        // "ENG-1": the context for every line
  std::string eval_path;           // a JSONL corpus: evaluate instead of printing
  std::optional<double> min_accuracy;
  std::optional<double> min_f1;
  bool show_errors = false;  // with eval: print each miss
};

struct IntentEval {
  std::size_t utterances = 0;
  std::size_t correct = 0;
  std::size_t true_positives = 0, predicted_pairs = 0, gold_pairs = 0;
  std::map<std::pair<std::string, std::string>, std::size_t> confusion;  // (gold, predicted)

  double accuracy() const;
  double precision() const;
  double recall() const;
  double f1() const;
};

// Without eval_path: one JSON object per input line, {"text","intent","confidence","entities"}
// (plus "missing", "error", ... when set). With it: the metrics, the confusion pairs, and exit
// status 1 when below min_accuracy or min_f1 (2 for an unreadable corpus or bad options).
int RunIntentsTool(const IntentsToolOptions& options, std::istream& in, std::ostream& out,
                   std::ostream& err);

}  // namespace contexten::bot
