#pragma once
#include "sources/source_type.h"

namespace tributary {
const SourceType& KafkaSourceType();
}
