/**
 * Lock-free hash maps that implement {@link java.util.concurrent.ConcurrentMap}: each offers the
 * full {@code ConcurrentMap} contract (atomic {@code putIfAbsent}, {@code replace}, conditional
 * {@code remove}, {@code compute*} and {@code merge}), any number of threads reading and writing at
 * once without locks, a per-instance seeded hash spreader against hash flooding (which
 * {@link dev.atoll.map.ChainedHashMap}, {@link dev.atoll.map.ProbingHashMap},
 * {@link dev.atoll.map.SegmentedHashMap} and {@link dev.atoll.map.HopscotchHashMap} switch on
 * when their keys start to cluster, so that sequential ids keep their order), and storage that
 * shrinks back after mass removal. They differ in layout and extras, which each class documents
 * (for example {@link dev.atoll.map.HashTrieMap} adds constant-time consistent snapshots). None of
 * them accepts null keys or values.
 */
package dev.atoll.map;
