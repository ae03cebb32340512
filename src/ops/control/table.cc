// The control family: one row per operator.
#include "ops/control/control_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> control_ops() {
  static const OpSchema kOps[] = {
      {"", "If", infer_if},
      {"", "Loop", infer_loop},
      {"", "Scan", infer_scan},
      {"", "SequenceEmpty", infer_sequence_empty},
      {"", "SequenceConstruct", infer_sequence_construct},
      {"", "SequenceAt", infer_sequence_at},
      {"", "SequenceErase", infer_sequence_erase},
      {"", "SequenceInsert", infer_sequence_insert},
      {"", "SequenceLength", infer_sequence_length},
      {"", "SequenceMap", infer_sequence_map},
      {"", "SplitToSequence", infer_split_to_sequence},
      {"", "ConcatFromSequence", infer_concat_from_sequence},
      {"", "Optional", infer_optional},
      {"", "OptionalGetElement", infer_optional_get_element},
      {"", "OptionalHasElement", infer_optional_has_element},
      {"", "RNN", infer_rnn},
      {"", "GRU", infer_gru},
      {"", "LSTM", infer_lstm},
  };
  return kOps;
}

}  // namespace kiln
