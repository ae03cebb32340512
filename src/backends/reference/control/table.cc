// Reference kernels of the control family: one row per operator.
#include "backends/reference/control/control_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> control_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "If", if_op},
      {"", "Loop", loop},
      {"", "Scan", scan},
      {"", "SequenceEmpty", sequence_empty},
      {"", "SequenceConstruct", sequence_construct},
      {"", "SequenceAt", sequence_at},
      {"", "SequenceErase", sequence_erase},
      {"", "SequenceInsert", sequence_insert},
      {"", "SequenceLength", sequence_length},
      {"", "SequenceMap", sequence_map},
      {"", "SplitToSequence", split_to_sequence},
      {"", "ConcatFromSequence", concat_from_sequence},
      {"", "Optional", optional},
      {"", "OptionalGetElement", optional_get_element},
      {"", "OptionalHasElement", optional_has_element},
      {"", "RNN", rnn},
      {"", "GRU", gru},
      {"", "LSTM", lstm},
  };
  return kKernels;
}

}  // namespace kiln::reference
