#pragma once
// Exports a collector queue's metrics at /metrics, labelled queue="NAME".

#include <functional>
#include <string>

#include "admin/metrics.h"
#include "tributary/queue_options.h"

namespace tributary {

// `read` is a queue's metrics_reader(): safe to call after the queue is gone (zeros then).
void ExportCollectorQueueMetrics(Metrics& metrics, const std::string& queue,
                                 std::function<CollectorQueueMetrics()> read);

}  // namespace tributary
