// Which SIMD level the optimized kernels may use, decided once at run time from the CPU.
// KILN_ISA=scalar|avx2|avx512 in the environment caps it (tests use this to cover every path).
//
//   switch (cpu_isa()) { case Isa::kAvx512: return run_avx512(...); case Isa::kAvx2: ...; }
#pragma once

namespace kiln {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// Highest level this CPU supports (AVX2 = avx2+fma+f16c, AVX-512 = F/BW/DQ/VL), capped by KILN_ISA.
Isa cpu_isa();
const char* isa_name(Isa isa);
// Physical cores (the default thread count): logical CPUs this process may use / SMT width.
int physical_cores();

}  // namespace kiln
