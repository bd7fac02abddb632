package dev.atoll.map;

import dev.atoll.map.OptimisticComputeMap.Projection;
import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code keySet}/{@code values}/{@code entrySet} views of this package's maps (every
 * {@link WeaklyConsistentMap} and {@link HashTrieMap}): thin adapters that answer every query
 * through the map's own operations and iterate through the map's {@link
 * OptimisticComputeMap#traversal traversal} (weakly consistent, or over a snapshot: the map's
 * documented iteration). The writes that do not start with a write of the map ({@code entrySet}'s
 * {@code remove}, {@code Entry.setValue}) call {@link OptimisticComputeMap#checkWritable} first, so
 * that a read-only map refuses them as its own writes do. Not public.
 */
final class MapViews {
  private MapViews() {}

  /** Projects an entry to its key. */
  @SuppressWarnings("unchecked")
  static <K> Projection<K> keys() {
    return (k, v) -> (K) k;
  }

  /** Projects an entry to its value. */
  @SuppressWarnings("unchecked")
  static <V> Projection<V> values() {
    return (k, v) -> (V) v;
  }

  /** Projects an entry to a {@link WriteThroughEntry} of {@code map}. */
  @SuppressWarnings("unchecked")
  static <K, V> Projection<Map.Entry<K, V>> entries(OptimisticComputeMap<K, V> map) {
    return (k, v) -> new WriteThroughEntry<>(map, (K) k, (V) v);
  }

  /** The key set view. */
  static final class Keys<K, V> extends AbstractSet<K> {
    private final OptimisticComputeMap<K, V> map;

    Keys(OptimisticComputeMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<K> iterator() {
      return map.traversal(keys());
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      return map.containsKey(o);
    }

    @Override
    public boolean remove(Object o) {
      return map.remove(o) != null;
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** The values view. */
  static final class Values<K, V> extends AbstractCollection<V> {
    private final OptimisticComputeMap<K, V> map;

    Values(OptimisticComputeMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<V> iterator() {
      return map.traversal(values());
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      return map.containsValue(o);
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** The entry set view. */
  static final class Entries<K, V> extends AbstractSet<Map.Entry<K, V>> {
    private final OptimisticComputeMap<K, V> map;

    Entries(OptimisticComputeMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return map.traversal(entries(map));
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object k = e.getKey();
      Object v = e.getValue();
      if (k == null || v == null) {
        return false;
      }
      Object cur = map.get(k);
      return cur != null && (cur == v || v.equals(cur));
    }

    @Override
    public boolean remove(Object o) {
      map.checkWritable();
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object k = e.getKey();
      Object v = e.getValue();
      return k != null && v != null && map.remove(k, v);
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** An entry returned by an iterator: {@code setValue} writes through to the map with {@code put}. */
  static final class WriteThroughEntry<K, V> implements Map.Entry<K, V> {
    private final OptimisticComputeMap<K, V> map;
    private final K key;
    private V value;

    WriteThroughEntry(OptimisticComputeMap<K, V> map, K key, V value) {
      this.map = map;
      this.key = key;
      this.value = value;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V setValue(V v) {
      map.checkWritable();
      Objects.requireNonNull(v, "value");
      V old = value;
      map.put(key, v);
      value = v;
      return old;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      return key.equals(e.getKey()) && value.equals(e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ value.hashCode();
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }
}
