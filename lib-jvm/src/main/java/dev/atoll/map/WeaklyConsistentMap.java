package dev.atoll.map;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The common base of this package's hash maps with weakly consistent iteration
 * ({@link ChainedHashMap}, {@link HopscotchHashMap}, {@link ProbingHashMap},
 * {@link SegmentedHashMap}): the {@code keySet}, {@code values} and {@code entrySet} views
 * ({@link MapViews}, made once per map by {@link OptimisticComputeMap}), over the one weakly
 * consistent traversal each map supplies, projected to keys, values or write-through entries. The function-taking methods come from
 * {@link OptimisticComputeMap}. Not public.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
abstract class WeaklyConsistentMap<K, V> extends OptimisticComputeMap<K, V> {
  WeaklyConsistentMap() {}

  /**
   * A weakly consistent iterator (see the subclass's notes) that returns
   * {@code projection.make(key, value)} for each entry, and whose {@code remove} removes the last
   * returned key from this map.
   */
  @Override
  abstract <T> Iterator<T> traversal(Projection<T> projection);

  /** A weakly consistent iterator over the keys whose {@code remove} removes from this map. */
  final Iterator<K> keyIterator() {
    return traversal(MapViews.keys());
  }

  /** A weakly consistent iterator over the values whose {@code remove} removes from this map. */
  final Iterator<V> valueIterator() {
    return traversal(MapViews.values());
  }

  /**
   * A weakly consistent iterator over the entries whose {@code remove} removes from this map and
   * whose entries write through {@code setValue} ({@link MapViews.WriteThroughEntry}).
   */
  final Iterator<Map.Entry<K, V>> entryIterator() {
    return traversal(MapViews.entries(this));
  }

  /**
   * A set view of the keys. Its iterator is weakly consistent (see the class notes) and its
   * {@code remove} removes from this map; the set does not support {@code add}.
   */
  @Override
  public Set<K> keySet() {
    return keyView();
  }

  /**
   * A collection view of the values. Its iterator is weakly consistent and its {@code remove}
   * removes the entry from this map; the collection does not support {@code add}.
   */
  @Override
  public Collection<V> values() {
    return valueView();
  }

  /**
   * A set view of the entries. Its iterator is weakly consistent; its {@code remove} removes from
   * this map and {@code Entry.setValue} writes through to this map. {@code add} is not supported.
   */
  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return entryView();
  }
}
