#pragma once
#include "sinks/sink_type.h"

namespace tributary {
const SinkType& KafkaSinkType();
}
