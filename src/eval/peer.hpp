#pragma once
// The evaluator's peers (devices on another host, cluster mode) under the names src/eval and
// src/cluster use: the interface itself is public (tuna/evaluator.hpp, EvaluatorPeer), since
// EvaluatorOptions::peers holds them.
#include "tuna/evaluator.hpp"

namespace tuna::eval {

using BatchSettings = PeerBatchSettings;
using Peer = EvaluatorPeer;

}  // namespace tuna::eval
