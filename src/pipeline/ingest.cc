#include "pipeline/ingest.h"

namespace tributary {

Ingest::Ingest(const Router& router, Buffer& buffer, Metrics& metrics)
    : router_(router),
      buffer_(buffer),
      unrouted_(
          metrics.GetCounter("tributary_unrouted_events_total",
                             "Events that matched no sink (sent to the fallback sink if any)")),
      dropped_by_rule_(metrics.GetCounter("tributary_dropped_events_total",
                                          "Events not delivered, by reason",
                                          "reason=\"route_drop\"")),
      dropped_unrouted_(metrics.GetCounter("tributary_dropped_events_total",
                                           "Events not delivered, by reason",
                                           "reason=\"unrouted\"")) {
  for (size_t i = 0; i < router.sink_count(); ++i) {
    routed_.push_back(&metrics.GetCounter("tributary_routed_events_total",
                                          "Events routed to a sink's queue",
                                          "sink=" + LabelValue(router.sink_name(i))));
  }
}

void Ingest::Submit(const EventBatchPtr& batch, AppendCallback done) {
  thread_local std::vector<SinkMask> masks;
  RouteCounts counts = router_.Route(*batch, masks);
  size_t unrouted_lost = 0;
  std::vector<uint64_t> per_sink(router_.sink_count(), 0);
  for (SinkMask m : masks) {
    if (m == 0) ++unrouted_lost;
    for (; m != 0; m &= m - 1) ++per_sink[static_cast<size_t>(__builtin_ctzll(m))];
  }
  unrouted_lost -= counts.dropped;
  // Counted only once the request is accepted: a rejected request is retried by its producer.
  buffer_.Append(batch, masks,
                 [this, counts, unrouted_lost, per_sink = std::move(per_sink),
                  done = std::move(done)](AppendOutcome o) {
                   if (o.status.ok()) {
                     for (size_t s = 0; s < per_sink.size(); ++s) {
                       if (per_sink[s]) routed_[s]->Inc(per_sink[s]);
                     }
                     if (counts.dropped) dropped_by_rule_.Inc(counts.dropped);
                     if (counts.unrouted) unrouted_.Inc(counts.unrouted);
                     if (unrouted_lost) dropped_unrouted_.Inc(unrouted_lost);
                   }
                   done(std::move(o));
                 });
}

}  // namespace tributary
