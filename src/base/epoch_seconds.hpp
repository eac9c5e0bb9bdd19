#pragma once
// Wall-clock time as seconds since the Unix epoch: what the store records as a result's start and
// end and what the evaluators' phase timers subtract. Not for measuring kernels (the backends
// time those with device events or a steady clock).

namespace tuna {

double epoch_seconds();

}  // namespace tuna
