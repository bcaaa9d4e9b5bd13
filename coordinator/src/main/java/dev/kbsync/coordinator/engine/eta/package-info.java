/**
 * Queue-position estimates: how long a waiting ticket will wait before it is granted (a raw lease) or runs (a job),
 * as an expected wait and a 90th-percentile bound, from the KB's measured holds per kind (see {@link EtaModel}).
 */
package dev.kbsync.coordinator.engine.eta;
